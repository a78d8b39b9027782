import { request, send } from './client';
import { errorFrom } from './errors';
import type { components } from './schema';
import type { Page, UploadUsage } from './types';

export type Upload = components['schemas']['UploadView'];

/** Images the server accepts, and text files (by extension; the server checks the content). */
export const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif,.txt,.md,.csv,.json,text/plain,text/markdown,text/csv,application/json';

/** May fail with 413: larger than the size limit, or past the user's quota (`upload_quota_exceeded`). */
export function upload(file: File, signal?: AbortSignal): Promise<Upload> {
  const form = new FormData();
  form.append('file', file, file.name);
  return request('POST', '/api/uploads', { body: form, signal });
}

/** The caller's uploads, newest first (without their bytes); the server takes 1–200 a page, 50 by default. */
export function listUploads(cursor?: string, limit?: number): Promise<Page<Upload>> {
  return request('GET', '/api/uploads', { query: { cursor, limit } });
}

/** How many files and bytes the caller's uploads take, the quota, and how long uploads are kept. */
export function uploadUsage(): Promise<UploadUsage> {
  return request('GET', '/api/uploads/usage');
}

export function deleteUpload(id: string): Promise<void> {
  return request('DELETE', `/api/uploads/${encodeURIComponent(id)}`);
}

/** The file's bytes as an object URL (the route needs the access token, so no plain <img src>). */
export async function objectUrl(id: string, signal?: AbortSignal): Promise<string> {
  const response = await send('GET', `/api/uploads/${encodeURIComponent(id)}`, { signal });
  if (!response.ok) throw await errorFrom(response);
  return URL.createObjectURL(await response.blob());
}
