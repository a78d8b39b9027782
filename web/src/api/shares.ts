import { request } from './client';
import type { NewShare, Share, ShareList, SharedConversation } from './types';

const conversationPath = (id: string) => `/api/conversations/${encodeURIComponent(id)}/shares`;

/**
 * Shares a snapshot of the conversation as it is now (later messages are not shown). 422 with
 * `field` `conversation` when there is nothing to share yet, `expires_in_days` when out of range.
 */
export function createShare(conversationId: string, body: NewShare): Promise<Share> {
  return request('POST', conversationPath(conversationId), { body });
}

/** The links made to one conversation, newest first. */
export function listConversationShares(conversationId: string, signal?: AbortSignal): Promise<ShareList> {
  return request('GET', conversationPath(conversationId), { signal });
}

/** Every link the caller made, newest first. */
export function listShares(signal?: AbortSignal): Promise<ShareList> {
  return request('GET', '/api/shares', { signal });
}

/** Stops the link at once (idempotent). */
export function revokeShare(id: string): Promise<void> {
  return request('DELETE', `/api/shares/${encodeURIComponent(id)}`);
}

/**
 * What a link shows; no sign-in needed. `auth` sends the access token (members-only links
 * answer 401 `sign_in_required` without one). Unknown, revoked and expired links are 404.
 */
export function openShare(id: string, { auth, signal }: { auth: boolean; signal?: AbortSignal }): Promise<SharedConversation> {
  return request('GET', `/api/shared/${encodeURIComponent(id)}`, { auth, signal });
}
