// Search matches in text: the parts of a title or snippet, with the matches marked.

export interface TextPart {
  text: string;
  match: boolean;
}

/** `text` cut around every case-insensitive occurrence of `query` (none when it is blank). */
export function highlight(text: string, query: string): TextPart[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: TextPart[] = [];
  let at = 0;
  for (let found = lower.indexOf(q); found !== -1; found = lower.indexOf(q, found + q.length)) {
    if (found > at) parts.push({ text: text.slice(at, found), match: false });
    parts.push({ text: text.slice(found, found + q.length), match: true });
    at = found + q.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts.length > 0 ? parts : [{ text, match: false }];
}
