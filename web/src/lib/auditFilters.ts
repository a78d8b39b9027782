// The audit log's filters: kept in the page's address (so a filtered view can be shared or
// reloaded) and turned into the API's query (`/api/admin/audit`).
import type { adminApi } from '../api';

type AuditQuery = adminApi.AuditQuery;

export interface AuditFilters {
  /** A user id, or a username that `resolveActor` knows. */
  actor: string;
  /** An action such as `auth.login`. */
  action: string;
  /** `YYYY-MM-DD`, the first day shown (local time). */
  from: string;
  /** `YYYY-MM-DD`, the last day shown, included. */
  to: string;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', from: '', to: '' };

/** Every action the server records, for the filter's suggestions. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.logout_all',
  'auth.register',
  'auth.password_change',
  'auth.lockout',
  'auth.refresh_reuse',
  'api_key.create',
  'api_key.revoke',
  'admin.user_create',
  'admin.user_update',
  'admin.user_delete',
  'admin.agent_create',
  'admin.agent_update',
  'admin.agent_delete',
  'admin.agent_test',
  'admin.agents_reload',
  'admin.config_reload',
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersFromSearch(search: URLSearchParams): AuditFilters {
  const day = (key: string) => {
    const value = search.get(key) ?? '';
    return DAY.test(value) ? value : '';
  };
  return { actor: search.get('actor') ?? '', action: search.get('action') ?? '', from: day('from'), to: day('to') };
}

export function filtersToSearch(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value.trim() !== '') search.set(key, value.trim());
  return search;
}

/** Local midnight of `day` plus `addDays`, as RFC 3339 (UTC). */
function startOfDay(day: string, addDays = 0): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

/**
 * The API query for the filters: days become the local day's bounds (`to` includes its day);
 * a username is replaced by its id when `resolveActor` knows it.
 */
export function filtersToQuery(filters: AuditFilters, resolveActor: (name: string) => string | undefined = () => undefined): AuditQuery {
  const query: AuditQuery = {};
  const actor = filters.actor.trim();
  if (actor) query.actor = resolveActor(actor) ?? actor;
  if (filters.action.trim()) query.action = filters.action.trim();
  if (DAY.test(filters.from)) query.from = startOfDay(filters.from);
  if (DAY.test(filters.to)) query.to = startOfDay(filters.to, 1);
  return query;
}
