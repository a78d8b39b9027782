import { request, send } from './client';
import { errorFrom } from './errors';
import { endSession, startSession } from './session';
import type { DeleteAccountRequest, DeletionScheduled, Me, MePatch, PasswordChange, RegistrationInfo, TokenResponse, User } from './types';

export async function login(username: string, password: string): Promise<User> {
  const tokens = await request<TokenResponse>('POST', '/api/auth/login', { body: { username, password }, auth: false });
  return startSession(tokens).user;
}

export interface Registration {
  username: string;
  password: string;
  email?: string;
  /** Required when registration is by invitation. */
  inviteCode?: string;
}

export async function register({ username, password, email, inviteCode }: Registration): Promise<User> {
  const body = { username, password, ...(email ? { email } : {}), ...(inviteCode ? { invite_code: inviteCode } : {}) };
  const tokens = await request<TokenResponse>('POST', '/api/auth/register', { body, auth: false });
  return startSession(tokens).user;
}

export async function logout(): Promise<void> {
  try {
    await request('POST', '/api/auth/logout', { auth: false });
  } finally {
    endSession('signed_out');
  }
}

/** Ends every session of the user, this one included. */
export async function logoutEverywhere(): Promise<void> {
  await request('POST', '/api/auth/logout-all');
  endSession('signed_out');
}

/** Signs out the other sessions; with `revokeApiKeys`, also revokes every API key of the user. */
export function changePassword(currentPassword: string, newPassword: string, revokeApiKeys = false): Promise<void> {
  const body: PasswordChange = {
    current_password: currentPassword,
    new_password: newPassword,
    ...(revokeApiKeys ? { revoke_api_keys: true } : {}),
  };
  return request('POST', '/api/auth/password', { body });
}

/** The signed-in user, with the groups they belong to. */
export function me(signal?: AbortSignal): Promise<Me> {
  return request<Me>('GET', '/api/auth/me', { signal });
}

/**
 * Changes the signed-in user's profile: `custom_instructions` (up to 4000 characters; null or
 * empty clears them), added to the system prompt of their chat turns. 422 with `field`
 * `custom_instructions` when too long.
 */
export function updateMe(patch: MePatch): Promise<Me> {
  return request<Me>('PATCH', '/api/auth/me', { body: patch });
}

/** Whether and how accounts can be created here; no sign-in needed. */
export function registration(signal?: AbortSignal): Promise<RegistrationInfo> {
  return request('GET', '/api/auth/registration', { auth: false, signal });
}

// ------------------------------------------------------------------------- your data

/** The export archive and the name the server gave it. */
export interface DataExport {
  blob: Blob;
  filename: string;
}

/**
 * The file name of a `Content-Disposition` header: `filename*` (RFC 5987, UTF-8) when there is
 * one, else `filename`; null when neither.
 */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^;]+)/i.exec(header)?.[1]?.trim();
  if (extended) {
    const value = extended.replace(/^"(.*)"$/, '$1');
    const quote = value.indexOf("'", value.indexOf("'") + 1);
    try {
      const name = decodeURIComponent(quote >= 0 ? value.slice(quote + 1) : value);
      if (name) return name;
    } catch {
      // badly encoded: use the plain name
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return null;
  const name = plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]!.trim();
  return name || null;
}

/**
 * All of the user's data as one `.zip` (conversations, uploads, presets, profile). Signed-in
 * sessions only (an API key is refused 403). `onProgress` hears the bytes received so far.
 */
export async function exportData(onProgress?: (bytes: number) => void, signal?: AbortSignal): Promise<DataExport> {
  const response = await send('GET', '/api/auth/export', { signal });
  if (!response.ok) throw await errorFrom(response);
  const type = response.headers.get('content-type') ?? 'application/zip';
  let blob: Blob;
  if (onProgress && response.body) {
    const reader = response.body.getReader();
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress(received);
    }
    blob = new Blob(chunks, { type });
  } else {
    blob = await response.blob();
  }
  const filename = dispositionFilename(response.headers.get('content-disposition')) ?? 'llmchat-export.zip';
  return { blob, filename };
}

/**
 * Asks for the account's deletion, confirmed by the password again, or for an account without
 * a password (made by single sign-on) by its username (`{ username }`). `scheduled`: deleted
 * for good at `delete_after` unless cancelled with `restoreAccount` (its API keys and other
 * sessions end now); `deleted`: the server has no grace period and the account is gone, so
 * this session ends too. 401 `invalid_credentials` for a wrong password (or username); 409 for
 * the last admin.
 */
export async function deleteAccount(
  confirmation: string | { username: string },
): Promise<{ kind: 'scheduled'; deleteAfter: string } | { kind: 'deleted' }> {
  const body: DeleteAccountRequest = typeof confirmation === 'string' ? { password: confirmation } : { username: confirmation.username };
  const answer = await request<DeletionScheduled | undefined>('DELETE', '/api/auth/me', { body });
  if (answer?.delete_after) return { kind: 'scheduled', deleteAfter: answer.delete_after };
  // Gone at once: clear the refresh cookie too (its session no longer exists).
  await request('POST', '/api/auth/logout', { auth: false }).catch(() => undefined);
  endSession('deleted');
  return { kind: 'deleted' };
}

/** Cancels a scheduled deletion; 409 when none is. */
export function restoreAccount(): Promise<void> {
  return request('POST', '/api/auth/me/restore');
}
