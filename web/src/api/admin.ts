// The admin console's API: dashboard figures, agents, users, the audit log and operations.
import { request, send } from './client';
import { errorFrom } from './errors';
import type {
  AdminAgent,
  AdminStats,
  AdminUsageReport,
  AgentDefinition,
  AuditEntry,
  ConfigReloadOutcome,
  ConnectionTest,
  Health,
  NewUser,
  Page,
  ReloadResult,
  User,
  UserPatch,
  Version,
} from './types';

const enc = encodeURIComponent;

// ------------------------------------------------------------------------------- reports

export function stats(query: { days?: number; tz?: string } = {}, signal?: AbortSignal): Promise<AdminStats> {
  return request('GET', '/api/admin/stats', { query, signal });
}

export function usage(
  query: { group_by: 'user' | 'agent' | 'day'; from?: string; to?: string; tz?: string },
  signal?: AbortSignal,
): Promise<AdminUsageReport> {
  return request('GET', '/api/admin/usage', { query, signal });
}

// -------------------------------------------------------------------------------- agents

export async function listAgents(): Promise<AdminAgent[]> {
  const list = await request<{ items: AdminAgent[] }>('GET', '/api/admin/agents');
  return list.items;
}

export function getAgent(id: string): Promise<AdminAgent> {
  return request('GET', `/api/admin/agents/${enc(id)}`);
}

export function createAgent(definition: AgentDefinition): Promise<AdminAgent> {
  return request('POST', '/api/admin/agents', { body: definition });
}

/** Replaces the definition; a missing `api_key` keeps the key in force. */
export function updateAgent(id: string, definition: AgentDefinition): Promise<AdminAgent> {
  return request('PUT', `/api/admin/agents/${enc(id)}`, { body: definition });
}

export function deleteAgent(id: string): Promise<void> {
  return request('DELETE', `/api/admin/agents/${enc(id)}`);
}

export function testAgent(id: string): Promise<ConnectionTest> {
  return request('POST', `/api/admin/agents/${enc(id)}/test`);
}

/** Re-reads the agents file; a 422 carries every problem (`ApiError.problems`). */
export function reloadAgents(): Promise<ReloadResult> {
  return request('POST', '/api/agents/reload');
}

// --------------------------------------------------------------------------------- users

export function listUsers(query: { q?: string; cursor?: string; limit?: number } = {}, signal?: AbortSignal): Promise<Page<User>> {
  return request('GET', '/api/admin/users', { query, signal });
}

export function createUser(body: NewUser): Promise<User> {
  return request('POST', '/api/admin/users', { body });
}

export function updateUser(id: string, patch: UserPatch): Promise<User> {
  return request('PATCH', `/api/admin/users/${enc(id)}`, { body: patch });
}

// ----------------------------------------------------------------------------- audit log

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** RFC 3339. */
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export function listAudit(query: AuditQuery, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return request('GET', '/api/admin/audit', { query: { ...query }, signal });
}

// ---------------------------------------------------------------------------- operations

/** The health report, also when the server answers 503 (something is down). */
export async function health(): Promise<Health> {
  const response = await send('GET', '/api/health');
  if (response.ok || response.status === 503) {
    try {
      return (await response.json()) as Health;
    } catch {
      // not the health document: report the status below
    }
  }
  throw await errorFrom(response);
}

export function version(): Promise<Version> {
  return request('GET', '/api/version', { auth: false });
}

/** Reloads the configuration; a 422 carries the validation report (`ApiError.problems`). */
export function reloadConfig(): Promise<ConfigReloadOutcome> {
  return request('POST', '/api/config/reload');
}
