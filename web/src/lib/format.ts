// Numbers and dates in the interface language.

export function formatNumber(value: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(value);
}

export function formatPercent(value: number, lang: string): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function formatDateTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "512 B", "8.0 KB", "1.0 GB": binary multiples (1 KB = 1024 bytes), one decimal above bytes. */
export function formatBytes(bytes: number, lang: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.97 KB would read "1,024.0 KB": say "1.0 MB" instead.
  if (unit > 0 && unit < BYTE_UNITS.length - 1 && Math.round(value * 10) >= 10240) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${formatNumber(value, lang)} B`;
  const number = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
  return `${number} ${BYTE_UNITS[unit]}`;
}

/** A length of time in the largest unit under it (days, else hours, else minutes), to one decimal. */
export function timeSpan(seconds: number): { unit: 'days' | 'hours' | 'minutes'; count: number } {
  const round = (n: number) => Math.round(n * 10) / 10;
  if (seconds >= 86_400) return { unit: 'days', count: round(seconds / 86_400) };
  if (seconds >= 3_600) return { unit: 'hours', count: round(seconds / 3_600) };
  return { unit: 'minutes', count: Math.max(1, Math.round(seconds / 60)) };
}
