// A group's retention (`retention_days`): 1–3650 days, or none (conversations are kept).

export const RETENTION_MAX = 3650;

/** The field's text as `retention_days`: null when empty, undefined when not 1–3650 whole days. */
export function parseRetention(text: string): number | null | undefined {
  const value = text.trim();
  if (!value) return null;
  if (!/^\d+$/.test(value)) return undefined;
  const days = Number(value);
  return days >= 1 && days <= RETENTION_MAX ? days : undefined;
}
