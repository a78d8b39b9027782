import { request, send } from './client';
import { errorFrom } from './errors';
import type { components } from './schema';

export type Upload = components['schemas']['UploadView'];

/** Images the server accepts, and text files (by extension; the server checks the content). */
export const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif,.txt,.md,.csv,.json,text/plain,text/markdown,text/csv,application/json';

export function upload(file: File, signal?: AbortSignal): Promise<Upload> {
  const form = new FormData();
  form.append('file', file, file.name);
  return request('POST', '/api/uploads', { body: form, signal });
}

/** The file's bytes as an object URL (the route needs the access token, so no plain <img src>). */
export async function objectUrl(id: string, signal?: AbortSignal): Promise<string> {
  const response = await send('GET', `/api/uploads/${encodeURIComponent(id)}`, { signal });
  if (!response.ok) throw await errorFrom(response);
  return URL.createObjectURL(await response.blob());
}
