// The one HTTP client: adds the access token, refreshes it once on a 401, and turns error
// answers into ApiError.
import { ApiError, errorFrom } from './errors';
import { endSession, getSession, refreshSession } from './session';

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the access token (default true). */
  auth?: boolean;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Sends a request and returns the response as it came, after one refresh-and-retry on 401. */
export async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const auth = options.auth ?? true;
  const attempt = async () => {
    const headers: Record<string, string> = { ...options.headers };
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) {
      body = options.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const session = getSession();
    if (auth && session) headers.authorization = `Bearer ${session.accessToken}`;
    try {
      return await fetch(withQuery(path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
        credentials: 'same-origin',
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw ApiError.network(cause);
    }
  };
  if (auth && !getSession()) await refreshSession().catch(() => null);
  let response = await attempt();
  // A wrong password in the body (password change, account deletion) is no expired token:
  // refreshing would not help, and the retry's 401 would end the session.
  if (auth && response.status === 401 && !(await wrongCredentials(response))) {
    const renewed = await refreshSession().catch(() => null);
    if (!renewed) return response;
    response = await attempt();
    if (response.status === 401) endSession('expired');
  }
  return response;
}

/** Whether a 401 is the server's `invalid_credentials` (a wrong password sent), not a token refused. */
async function wrongCredentials(response: Response): Promise<boolean> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return false;
  try {
    const body = (await response.clone().json()) as { error?: { code?: string } };
    return body.error?.code === 'invalid_credentials';
  } catch {
    return false;
  }
}

/** A request whose answer is JSON (or nothing, for 204). */
export async function request<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  const response = await send(method, path, options);
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204 || response.headers.get('content-length') === '0') return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  return (await response.json()) as T;
}
