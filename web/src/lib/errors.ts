import type { TFunction } from 'i18next';
import { ApiError } from '../api';

function wait(t: TFunction, seconds: number): string {
  return seconds >= 90 ? t('time.minutes', { count: Math.ceil(seconds / 60) }) : t('time.seconds', { count: seconds });
}

/** A sentence for the user about what went wrong. */
export function describeError(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const seconds = error.retryAfter ?? 1;
  switch (true) {
    case error.status === 0:
      return t('errors.network');
    case error.code === 'invalid_credentials':
      return t('errors.invalid_credentials');
    case error.status === 423:
      return t('errors.locked', { wait: wait(t, seconds) });
    case error.code === 'rate_limited':
      return t('errors.rate_limited', { wait: wait(t, seconds) });
    case error.status === 429:
      return t('errors.quota', { message: error.message });
    case error.status === 502 || error.status === 504:
      return t('errors.upstream', { message: error.message });
    case error.status === 503:
      return t('errors.unavailable');
    case error.status >= 500:
      return t('errors.internal', { id: error.requestId ?? '?' });
    default:
      return t('errors.generic', { message: error.message });
  }
}
