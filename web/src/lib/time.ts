export type Bucket = 'today' | 'yesterday' | 'previous7' | 'older';

/** Which sidebar group a timestamp belongs to, by the user's local calendar days. */
export function bucketOf(iso: string, now = new Date()): Bucket {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  const at = new Date(iso).getTime();
  if (at >= startOfToday) return 'today';
  if (at >= startOfToday - day) return 'yesterday';
  if (at >= startOfToday - 7 * day) return 'previous7';
  return 'older';
}

export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
