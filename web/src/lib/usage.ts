// The caller's usage report (`GET /api/usage`, one row per day and agent) summed per agent
// and per day.
import type { UsageDay, UsageReport, UsageTotals } from '../api';

export interface UsageRow extends UsageTotals {
  key: string;
}

function add(into: Map<string, UsageRow>, key: string, item: UsageDay) {
  const row = into.get(key) ?? { key, requests: 0, prompt_tokens: 0, completion_tokens: 0, errors: 0 };
  row.requests += item.requests;
  row.prompt_tokens += item.prompt_tokens;
  row.completion_tokens += item.completion_tokens;
  row.errors += item.errors;
  into.set(key, row);
}

/** Per agent (most tokens first) and per day (newest first). */
export function summarizeUsage(report: UsageReport): { byAgent: UsageRow[]; byDay: UsageRow[] } {
  const agents = new Map<string, UsageRow>();
  const days = new Map<string, UsageRow>();
  for (const item of report.items) {
    add(agents, item.agent_id, item);
    add(days, item.day, item);
  }
  const tokens = (r: UsageRow) => r.prompt_tokens + r.completion_tokens;
  return {
    byAgent: [...agents.values()].sort((a, b) => tokens(b) - tokens(a) || a.key.localeCompare(b.key)),
    byDay: [...days.values()].sort((a, b) => b.key.localeCompare(a.key)),
  };
}
