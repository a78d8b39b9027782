import { request } from './client';
import type { NewPreset, Preset, PresetList, PresetPatch } from './types';

const presetPath = (id: string) => `/api/presets/${encodeURIComponent(id)}`;

/**
 * The presets the caller may pick, by title: their own and admins' shared ones for the agents
 * they may use. With `agentId`: those for that agent, and the caller's own for any agent.
 */
export function listPresets(agentId?: string | null, signal?: AbortSignal): Promise<PresetList> {
  return request('GET', '/api/presets', { query: { agent_id: agentId }, signal });
}

/**
 * Without `agent_id` the preset is for any agent. `shared` (admins only, 403 otherwise) gives
 * it to everyone who uses `agent_id`. 422 with `field` `title` or `content` when empty or too
 * long; 404 `agent_id` for an agent the caller may not use; 409 past 200 presets.
 */
export function createPreset(body: NewPreset): Promise<Preset> {
  return request('POST', '/api/presets', { body });
}

/** Changes the title or the text (not the agent). Shared presets: admins only (403). */
export function updatePreset(id: string, patch: PresetPatch): Promise<Preset> {
  return request('PATCH', presetPath(id), { body: patch });
}

export function deletePreset(id: string): Promise<void> {
  return request('DELETE', presetPath(id));
}
