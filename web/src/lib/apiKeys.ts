// Creating an API key: its expiry from the form's choice, and the code that uses it.

export type ExpiryChoice = 'never' | '30' | '90' | 'date';

/**
 * The `expires_at` to send: none, 30 or 90 days from `now`, or the end of the chosen day in
 * the browser's time zone. Null for "never"; undefined when the date is missing or not in the
 * future.
 */
export function expiryFrom(choice: ExpiryChoice, date: string, now = new Date()): string | null | undefined {
  if (choice === 'never') return null;
  if (choice === 'date') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    if (!match) return undefined;
    const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
    return end.getTime() > now.getTime() ? end.toISOString() : undefined;
  }
  return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
}

export interface Snippets {
  curl: string;
  python: string;
}

/** A first request with the key, as curl and with the Python `openai` client. */
export function keySnippets(baseUrl: string, key: string, model: string): Snippets {
  const curl = [
    `curl ${baseUrl}/chat/completions \\`,
    `  -H "Authorization: Bearer ${key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] })}'`,
  ].join('\n');
  const python = [
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url=${JSON.stringify(baseUrl)}, api_key=${JSON.stringify(key)})`,
    'reply = client.chat.completions.create(',
    `    model=${JSON.stringify(model)},`,
    '    messages=[{"role": "user", "content": "Hello!"}],',
    ')',
    'print(reply.choices[0].message.content)',
  ].join('\n');
  return { curl, python };
}
