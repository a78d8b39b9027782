import { request } from './client';
import type { ApiKey, CreatedApiKey, NewApiKey, Page, RevokedKeys } from './types';

export function listKeys(cursor?: string): Promise<Page<ApiKey>> {
  return request('GET', '/api/keys', { query: { cursor, limit: 200 } });
}

/** Without `scopes` the key is `["chat"]`; `["admin"]` is for admins only (403 otherwise). */
export function createKey(body: NewApiKey): Promise<CreatedApiKey> {
  return request('POST', '/api/keys', { body });
}

export function revokeKey(id: string): Promise<void> {
  return request('DELETE', `/api/keys/${encodeURIComponent(id)}`);
}

/** Revokes every key of the caller; answers how many stopped working. */
export function revokeAllKeys(): Promise<RevokedKeys> {
  return request('DELETE', '/api/keys');
}
