import { request } from './client';
import type { ApiKey, CreatedApiKey, NewApiKey, Page } from './types';

export function listKeys(cursor?: string): Promise<Page<ApiKey>> {
  return request('GET', '/api/keys', { query: { cursor, limit: 200 } });
}

export function createKey(body: NewApiKey): Promise<CreatedApiKey> {
  return request('POST', '/api/keys', { body });
}

export function revokeKey(id: string): Promise<void> {
  return request('DELETE', `/api/keys/${encodeURIComponent(id)}`);
}
