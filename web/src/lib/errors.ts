import i18next, { type TFunction } from 'i18next';
import { ApiError } from '../api';
import { budgetAmount, budgetName } from './budgets';

/** "30 s", "2 min", "5 h" or "3 days" (a monthly budget renews in weeks). */
export function formatWait(t: TFunction, seconds: number): string {
  if (seconds >= 2 * 86_400) return t('time.days', { count: Math.ceil(seconds / 86_400) });
  if (seconds >= 2 * 3_600) return t('time.hours', { count: Math.ceil(seconds / 3_600) });
  return seconds >= 90 ? t('time.minutes', { count: Math.ceil(seconds / 60) }) : t('time.seconds', { count: seconds });
}

/** What kind of trouble an error is, for the screens that show more than a sentence. */
export type ErrorKind =
  | 'network'
  | 'expired'
  | 'forbidden'
  | 'rate_limited'
  | 'budget'
  | 'quota'
  | 'agent_missing'
  | 'upstream'
  | 'unavailable'
  | 'other';

/** The codes of a request refused because a budget (or the server's daily quota) is used up. */
const BUDGET_CODES = new Set(['budget_exceeded', 'daily_quota_exceeded']);

export function errorKind(error: unknown): ErrorKind {
  if (!(error instanceof ApiError)) return 'other';
  if (error.status === 0) return 'network';
  if (error.status === 401) return 'expired';
  if (error.status === 403) return 'forbidden';
  if (error.code === 'rate_limited') return 'rate_limited';
  if (BUDGET_CODES.has(error.code)) return 'budget';
  if (error.status === 429) return 'quota';
  if ((error.status === 422 || error.status === 404) && /^agent_id: /.test(error.message)) return 'agent_missing';
  if (error.status === 502 || error.status === 504) return 'upstream';
  if (error.status === 503) return 'unavailable';
  return 'other';
}

/** A sentence for the user about what went wrong. */
export function describeError(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const wait = formatWait(t, error.retryAfter ?? 1);
  switch (true) {
    case error.status === 0:
      return t('errors.network');
    case error.code === 'invalid_credentials':
      return t('errors.invalid_credentials');
    case error.status === 401:
      return t('errors.expired');
    case error.code === 'password_login_disabled':
      return t('errors.password_login_disabled');
    case error.status === 403:
      return t('errors.forbidden', { message: error.message });
    case error.status === 423:
      return t('errors.locked', { wait });
    case error.code === 'rate_limited':
      return t('errors.rate_limited', { wait });
    case error.code === 'daily_quota_exceeded':
      return t('errors.daily_quota', { wait });
    case error.code === 'budget_exceeded' && error.budget !== undefined:
      return budgetUsedUp(t, error, wait);
    case error.code === 'budget_exceeded':
      return t('errors.budget', { message: withoutWait(error.message), wait });
    case error.code === 'upload_quota_exceeded':
      return t('errors.uploadQuota', { message: error.message });
    case error.code === 'too_many_concurrent_requests':
      return t('errors.too_many_running');
    case error.code === 'agent_rate_limited' || error.code === 'agent_token_limit':
      return t('errors.agent_limit', { wait });
    case error.status === 429:
      return t('errors.quota', { message: error.message });
    case errorKind(error) === 'agent_missing':
      return t('errors.agentMissing');
    case error.status === 502 || error.status === 504:
      return t('errors.upstream', { message: error.message });
    case error.status === 503:
      return t('errors.unavailable');
    case error.status >= 500:
      return t('errors.internal', { id: error.requestId ?? '?' });
    default:
      return t('errors.generic', { message: error.message });
  }
}

/** Which budget is used up, in the reader's language, from the `budget` the server sent. */
function budgetUsedUp(t: TFunction, error: ApiError, wait: string): string {
  const budget = error.budget!;
  // A fixed `t` (i18n.getFixedT) knows its language; the hook's follows the app's.
  const lang = (t as TFunction & { lng?: string }).lng || i18next.language || 'en';
  return t('errors.budgetUsedUp', {
    name: budgetName(t, budget),
    kind: t(`usage.budgets.kinds.${budget.kind}`),
    used: budgetAmount(t, budget, budget.used, lang),
    limit: budgetAmount(t, budget, budget.limit, lang),
    wait,
  });
}

/**
 * The server's refusal without the "; it resets in 43000 s" it ends with: the sentence around
 * it says when, in the reader's units.
 */
function withoutWait(message: string): string {
  return message.replace(/[;,.]?\s*it resets in \d+ ?s\.?$/, '');
}

/** Why an answer failed, from the `{code, message}` stored with it (src/chat/turn/run.rs). */
export function describeFailure(t: TFunction, failure: { code?: string; message?: string } | null | undefined): string {
  const message = failure?.message ?? '';
  switch (failure?.code) {
    case 'upstream_unreachable':
      return t('errors.upstreamDown');
    case 'upstream_interrupted':
      return t('errors.upstreamInterrupted');
    case 'upstream_timeout':
      return t('errors.upstreamTimeout');
    case 'upstream_rate_limited':
      return t('errors.upstreamRateLimited');
    case 'upstream_auth_failed':
      return t('errors.upstreamAuth');
    default:
      return t('chat.failed', { message });
  }
}

/**
 * The message of an error that concerns one of `fields` (the server's `field`), without the
 * "field: " the server may start it with; null when the error is about none of them.
 */
export function fieldError<F extends string>(error: unknown, fields: readonly F[]): { field: F; message: string } | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  const field = fields.find((f) => f === error.field);
  if (!field) return null;
  const prefix = `${field}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return { field, message: message.charAt(0).toUpperCase() + message.slice(1) };
}
