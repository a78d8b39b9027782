// Composer drafts per conversation, kept in sessionStorage so that a reload or an expired
// session (back to login, then back here) does not lose them.
const KEY = 'llmchat.drafts';

function all(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function loadDraft(key: string): string {
  return all()[key] ?? '';
}

export function saveDraft(key: string, text: string) {
  const drafts = all();
  if (text) drafts[key] = text;
  else delete drafts[key];
  sessionStorage.setItem(KEY, JSON.stringify(drafts));
}
