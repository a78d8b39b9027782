import { request } from './client';
import type { MyBudgets, UsageReport } from './types';

/** The caller's own usage per day and agent (default: the last 30 days), days in `tz`. */
export function myUsage(query: { from?: string; to?: string; tz?: string } = {}, signal?: AbortSignal): Promise<UsageReport> {
  return request('GET', '/api/usage', { query, signal });
}

/** The budgets that apply to the caller (the server's daily quota, their own, their groups'), and what is left of each. */
export function myBudgets(signal?: AbortSignal): Promise<MyBudgets> {
  return request('GET', '/api/usage/budgets', { signal });
}
