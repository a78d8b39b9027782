// The admin console's API: dashboard figures, agents, users, groups, prices and budgets,
// registration and invitations, the audit log and operations.
import { request, send } from './client';
import { errorFrom } from './errors';
import type {
  AdminAgent,
  AdminSettings,
  AgentAccess,
  AgentAccessRequest,
  AdminStats,
  AdminUsageReport,
  AgentDefinition,
  AuditEntry,
  Budget,
  BudgetList,
  BudgetRequest,
  ConfigReloadOutcome,
  ConnectionTest,
  CreatedInvitation,
  Group,
  GroupDetail,
  GroupList,
  GroupPatch,
  Invitation,
  NewGroup,
  NewInvitation,
  ProviderModels,
  RegistrationMode,
  Health,
  LifecyclePreview,
  LifecycleSwept,
  NewUser,
  Page,
  Price,
  PriceList,
  PriceRequest,
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

/**
 * Creates an agent; the server tests its connection first. When the test fails the agent is
 * stored disabled, unless `force` (then it is stored as sent).
 */
export function createAgent(definition: AgentDefinition, force = false): Promise<AdminAgent> {
  return request('POST', '/api/admin/agents', { body: definition, query: { force: force || undefined } });
}

/** Replaces the definition; a missing `api_key` keeps the key in force. Tested as `createAgent`. */
export function updateAgent(id: string, definition: AgentDefinition, force = false): Promise<AdminAgent> {
  return request('PUT', `/api/admin/agents/${enc(id)}`, { body: definition, query: { force: force || undefined } });
}

/**
 * The provider's models. `agentId` lets the server use that agent's stored key when the
 * provider carries none (or the mask).
 */
export function listProviderModels(provider: AgentDefinition['provider'], agentId?: string, signal?: AbortSignal): Promise<ProviderModels> {
  return request('POST', '/api/admin/agents/models', { body: { provider, ...(agentId ? { agent_id: agentId } : {}) }, signal });
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

// -------------------------------------------------------------------------------- groups

export async function listGroups(signal?: AbortSignal): Promise<Group[]> {
  const list = await request<GroupList>('GET', '/api/admin/groups', { signal });
  return list.items;
}

/** A taken name answers 409 and a bad one 422, both with `field` set. */
export function createGroup(body: NewGroup): Promise<GroupDetail> {
  return request('POST', '/api/admin/groups', { body });
}

export function getGroup(id: string, signal?: AbortSignal): Promise<GroupDetail> {
  return request('GET', `/api/admin/groups/${enc(id)}`, { signal });
}

export function updateGroup(id: string, patch: GroupPatch): Promise<GroupDetail> {
  return request('PATCH', `/api/admin/groups/${enc(id)}`, { body: patch });
}

/** Refused (409 `group_in_use`, the message naming them) while an agent is restricted to this group alone. */
export function deleteGroup(id: string): Promise<void> {
  return request('DELETE', `/api/admin/groups/${enc(id)}`);
}

/** Adds a user to a group; no change when they are a member already. */
export function addGroupMember(groupId: string, userId: string): Promise<void> {
  return request('PUT', `/api/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
}

export function removeGroupMember(groupId: string, userId: string): Promise<void> {
  return request('DELETE', `/api/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
}

/** The groups an agent is restricted to; none means everyone may use it. */
export function agentGroups(agentId: string, signal?: AbortSignal): Promise<AgentAccess> {
  return request('GET', `/api/admin/agents/${enc(agentId)}/groups`, { signal });
}

/** Restricts an agent to these groups (ids), or to nobody in particular (`[]`): everyone. */
export function setAgentGroups(agentId: string, groups: string[]): Promise<AgentAccess> {
  const body: AgentAccessRequest = { groups };
  return request('PUT', `/api/admin/agents/${enc(agentId)}/groups`, { body });
}

// ----------------------------------------------------------------------- prices, budgets

/** The price table, with the currency of every price and cost budget. */
export function listPrices(signal?: AbortSignal): Promise<PriceList> {
  return request('GET', '/api/admin/prices', { signal });
}

/** Sets a model's price (per million tokens); a bad value answers 422 with `field`. */
export function putPrice(body: PriceRequest): Promise<Price> {
  return request('PUT', '/api/admin/prices', { body });
}

/** Removes a model's price (404 when it has none). */
export function deletePrice(model: string): Promise<void> {
  return request('DELETE', '/api/admin/prices', { query: { model } });
}

/** Every budget of users and groups, with the currency of cost budgets. */
export function listBudgets(signal?: AbortSignal): Promise<BudgetList> {
  return request('GET', '/api/admin/budgets', { signal });
}

/**
 * Sets the budget of a user or a group; answers it as stored, or nothing (204) when both
 * limits are null: the budget was removed. 404 for an unknown user or group, 422 with `field`.
 */
export async function putBudget(scope: 'user' | 'group', id: string, body: BudgetRequest): Promise<Budget | null> {
  return (await request<Budget | undefined>('PUT', `/api/admin/budgets/${enc(scope)}/${enc(id)}`, { body })) ?? null;
}

export function deleteBudget(scope: 'user' | 'group', id: string): Promise<void> {
  return request('DELETE', `/api/admin/budgets/${enc(scope)}/${enc(id)}`);
}

// -------------------------------------------------------------------- registration settings

export function settings(signal?: AbortSignal): Promise<AdminSettings> {
  return request('GET', '/api/admin/settings', { signal });
}

/** Sets the registration mode at once; null goes back to the configuration's value. */
export function setRegistration(mode: RegistrationMode | null): Promise<AdminSettings> {
  return request('PATCH', '/api/admin/settings', { body: { registration: mode } });
}

// ---------------------------------------------------------------------------- invitations

export function createInvitation(body: NewInvitation): Promise<CreatedInvitation> {
  return request('POST', '/api/admin/invitations', { body });
}

export function listInvitations(query: { cursor?: string; limit?: number } = {}, signal?: AbortSignal): Promise<Page<Invitation>> {
  return request('GET', '/api/admin/invitations', { query, signal });
}

export function revokeInvitation(id: string): Promise<void> {
  return request('DELETE', `/api/admin/invitations/${enc(id)}`);
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

// ------------------------------------------------------------------------ data lifecycle

/** What the data lifecycle would delete now (a dry run): accounts due, conversations past retention, orphaned uploads. */
export function lifecyclePreview(signal?: AbortSignal): Promise<LifecyclePreview> {
  return request('GET', '/api/admin/lifecycle', { signal });
}

/** Runs the data lifecycle now (it also runs every hour); answers what it deleted. */
export function runLifecycle(): Promise<LifecycleSwept> {
  return request('POST', '/api/admin/lifecycle/run');
}
