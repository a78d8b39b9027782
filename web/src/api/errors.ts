import type { BudgetStatus } from './types';

/** One finding of a validation report (a reload refused). */
export interface Problem {
  agent?: string | null;
  field: string;
  message: string;
}

/** An error answered by the server (`{"error":{"code","message","request_id","field"?}}`) or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  /** Seconds to wait, from `Retry-After` (rate limits, quotas, lockouts). */
  readonly retryAfter: number | undefined;
  /** The request field the error concerns (`username`, `invite_code`, `provider.type`…), when the server names one. */
  field: string | undefined;
  /** Every problem of a refused configuration or agent set (`problems` in the body). */
  problems: Problem[] = [];
  /** The budget that is used up (429 `budget_exceeded`), when the server names it. */
  budget: BudgetStatus | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId?: string,
    retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  /** No answer at all: the server is down or the network is gone. */
  static network(cause: unknown): ApiError {
    const error = new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause));
    return error;
  }
}

/** Reads an error response in the server's shape, whatever the body turns out to be. */
export async function errorFrom(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  let code = `http_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  let requestId = response.headers.get('x-request-id') ?? undefined;
  let problems: Problem[] = [];
  let field: string | undefined;
  let budget: BudgetStatus | undefined;
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; request_id?: string; field?: string | null; budget?: BudgetStatus | null };
      problems?: Problem[];
    };
    if (body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      requestId = body.error.request_id ?? requestId;
      field = body.error.field ?? undefined;
      budget = body.error.budget ?? undefined;
    }
    if (Array.isArray(body.problems)) problems = body.problems;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const error = new ApiError(response.status, code, message, requestId, retryAfter);
  error.problems = problems;
  error.field = field;
  error.budget = budget;
  return error;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
