import { request } from './client';
import { endSession, startSession } from './session';
import type { Me, PasswordChange, RegistrationInfo, TokenResponse, User } from './types';

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

/** Whether and how accounts can be created here; no sign-in needed. */
export function registration(signal?: AbortSignal): Promise<RegistrationInfo> {
  return request('GET', '/api/auth/registration', { auth: false, signal });
}
