// Invitation links and the form that makes them.

/** The link to share: the register page with the code filled in. */
export function invitationLink(origin: string, code: string): string {
  return `${origin}/register?invite=${encodeURIComponent(code)}`;
}

/** Days until an invitation expires, as the server takes them (1–90); null when not. */
export function parseExpiryDays(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const days = Number(text);
  return days >= 1 && days <= 90 ? days : null;
}
