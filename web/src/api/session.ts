// The signed-in session: the access token lives in memory only; the refresh token is an
// httpOnly cookie (path /api/auth) that the browser sends to /api/auth/refresh. Tokens are
// refreshed a minute before they expire, and once on a 401.
import { ApiError, errorFrom } from './errors';
import type { TokenResponse, User } from './types';

export interface Session {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  user: User;
}

/**
 * `expired`: a session was lost (refresh refused); `signed_out`: the user left; `deleted`: the
 * user deleted their account (at once, no grace period).
 */
export type SessionEnd = 'expired' | 'signed_out' | 'deleted';
type Listener = (session: Session | null, why?: SessionEnd) => void;

let current: Session | null = null;
let refreshing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

export function getSession(): Session | null {
  return current;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(why?: SessionEnd) {
  for (const listener of listeners) listener(current, why);
}

/** Starts (or renews) the session from a login, registration or refresh answer. */
export function startSession(tokens: TokenResponse): Session {
  current = {
    accessToken: tokens.access_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    user: tokens.user,
  };
  schedule(tokens.expires_in);
  emit();
  return current;
}

export function updateUser(user: User) {
  if (!current) return;
  current = { ...current, user };
  emit();
}

export function endSession(why: SessionEnd) {
  clearTimeout(timer);
  const had = current !== null;
  current = null;
  if (had || why !== 'expired') emit(why);
}

function schedule(expiresIn: number) {
  clearTimeout(timer);
  // A minute early, but never in a tight loop for very short lifetimes.
  const delay = Math.max(5, expiresIn - 60) * 1000;
  timer = setTimeout(() => void refreshSession(), delay);
}

/**
 * Exchanges the refresh cookie for a new token pair. Concurrent callers share one request,
 * and tabs take turns (Web Locks): each refresh token works once, and a reused one would end
 * the session everywhere.
 */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= withLock(async () => {
    const hadSession = current !== null;
    let response: Response;
    try {
      response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    } catch (cause) {
      // Offline: keep what we have; the next call retries.
      throw ApiError.network(cause);
    }
    if (response.ok) return startSession((await response.json()) as TokenResponse);
    if (response.status === 401) {
      endSession(hadSession ? 'expired' : 'signed_out');
      return null;
    }
    throw await errorFrom(response);
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function withLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return task();
  return locks.request('llmchat-refresh', task);
}
