import { request } from './client';
import type { UsageReport } from './types';

/** The caller's own usage per day and agent (default: the last 30 days), days in `tz`. */
export function myUsage(query: { from?: string; to?: string; tz?: string } = {}, signal?: AbortSignal): Promise<UsageReport> {
  return request('GET', '/api/usage', { query, signal });
}
