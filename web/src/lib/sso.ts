// Single sign-on (OpenID Connect): where a provider's button leads, which paths may be gone
// back to after signing in, and the failures the server reports on `/login?sso_error=<code>`.

/**
 * A path on this server, safe to go to after signing in; null for anything else (another
 * site, `//host`, a backslash trick, control characters). The server checks `return_to` the
 * same way.
 */
export function safeReturnPath(value: string | null | undefined): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  if (value.length > 512 || /\p{Cc}/u.test(value)) return null;
  return value;
}

/**
 * Where a provider's button goes: `/api/auth/oidc/{id}/start`, a plain browser navigation (the
 * server sends the browser to the provider, and back into the app signed in). `returnTo`: the
 * page to land on (left out for `/`, the server's default); `inviteCode`: an invitation for a
 * new account.
 */
export function ssoStartUrl(provider: string, { returnTo, inviteCode }: { returnTo?: string | null; inviteCode?: string | null } = {}): string {
  const query = new URLSearchParams();
  const path = safeReturnPath(returnTo);
  if (path && path !== '/') query.set('return_to', path);
  const code = inviteCode?.trim();
  if (code) query.set('invite_code', code);
  const search = query.toString();
  return `/api/auth/oidc/${encodeURIComponent(provider)}/start${search ? `?${search}` : ''}`;
}

/** The codes of `/login?sso_error=<code>` (src/routes/sso.rs); any other gets a generic message. */
export const SSO_ERRORS = [
  'denied',
  'state_mismatch',
  'state_unknown',
  'provider_unavailable',
  'token_rejected',
  'no_account',
  'invitation_required',
  'invitation_unknown',
  'account_disabled',
  'server_error',
] as const;
export type SsoError = (typeof SSO_ERRORS)[number] | 'unknown';

/** The known code, or `unknown`. */
export function ssoErrorCode(code: string): SsoError {
  return (SSO_ERRORS as readonly string[]).includes(code) ? (code as SsoError) : 'unknown';
}
