// Who did it and to what, in the words of the audit log: the names the server resolves
// (`actor_name`, `target_name`), else a username we know, else "via CLI" for the command
// line, else the bare id (of something deleted since).
import type { AuditEntry } from '../api';

/** `gone`: the server resolves names and had none for this id (deleted since). */
export type AuditName = { kind: 'name'; text: string } | { kind: 'id'; text: string; gone: boolean } | { kind: 'cli' } | { kind: 'none' };

function viaCli(entry: AuditEntry): boolean {
  return (entry.details as { via?: unknown } | null)?.via === 'cli';
}

export function auditActor(entry: AuditEntry, usernames: Map<string, string>): AuditName {
  if (entry.actor_name) return { kind: 'name', text: entry.actor_name };
  if (entry.actor_id) {
    const known = usernames.get(entry.actor_id);
    return known ? { kind: 'name', text: known } : { kind: 'id', text: entry.actor_id, gone: 'actor_name' in entry };
  }
  return viaCli(entry) ? { kind: 'cli' } : { kind: 'none' };
}

/** The target types the server names (`target_name`); other targets are known by id only. */
const NAMED_TARGETS = new Set(['user', 'api_key', 'agent']);

export function auditTarget(entry: AuditEntry, usernames: Map<string, string>): AuditName {
  if (entry.target_name) return { kind: 'name', text: entry.target_name };
  if (!entry.target_id) return { kind: 'none' };
  const known = entry.target_type === 'user' ? usernames.get(entry.target_id) : undefined;
  if (known) return { kind: 'name', text: known };
  return { kind: 'id', text: entry.target_id, gone: 'target_name' in entry && NAMED_TARGETS.has(entry.target_type ?? '') };
}
