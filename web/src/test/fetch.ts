// A mocked fetch for tests that check what the screens send (paths, methods, bodies, the token).
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  query: string;
  body: unknown;
  authorization: string | null;
}
type Handler = (call: Call) => Response;

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
export const noContent = () => new Response(null, { status: 204 });
export const refusal = (status: number, code: string, message: string, field?: string) =>
  json(status, { error: { code, message, request_id: 'req-1', ...(field ? { field } : {}) } });

/** Stubs `fetch`; unknown requests answer 404. Call in `beforeEach`, with `vi.unstubAllGlobals()` after. */
export function mockFetch() {
  const routes = new Map<string, Handler>();
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://localhost');
      const headers = new Headers(init?.headers);
      const call: Call = {
        method: init?.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        authorization: headers.get('authorization'),
      };
      calls.push(call);
      const handler = routes.get(`${call.method} ${call.path}`);
      return handler ? handler(call) : refusal(404, 'not_found', 'not found');
    }),
  );
  return {
    calls,
    /** Answers `method path`. */
    on(method: string, path: string, handler: Handler) {
      routes.set(`${method} ${path}`, handler);
    },
    sent(method: string, path: string) {
      return calls.filter((c) => c.method === method && c.path === path);
    },
  };
}
