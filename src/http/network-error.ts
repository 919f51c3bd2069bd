/**
 * What went wrong on the network, read off a thrown error: undici's request() puts the errno (ECONNREFUSED,
 * ENOTFOUND) or its own code (UND_ERR_SOCKET) on the error itself; fetch() throws "fetch failed" and hides the
 * same code on `cause`. Callers phrase the result for their own users; this only classifies.
 */
import { errorMessage } from '../errors.ts';

export type NetworkFailureReason = 'refused' | 'timeout' | 'not_found' | 'reset' | 'aborted' | 'failed';

export type NetworkError = {
  reason: NetworkFailureReason;
  /** The errno or undici code, from the error or from its cause; undefined when neither has one. */
  code: string | undefined;
  /** "connection refused", "host not found", "no answer in time"; otherwise the error's own message (its cause's, for fetch). */
  message: string;
};

function codeOf(value: unknown): string | undefined {
  const code = typeof value === 'object' && value !== null && 'code' in value ? value.code : undefined;
  return code === undefined || code === null || code === '' ? undefined : String(code);
}

function reasonOf(name: string, code: string | undefined): NetworkFailureReason {
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'not_found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'reset';
    default:
      // ETIMEDOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, UND_ERR_CONNECT_TIMEOUT, UND_ERR_ABORTED, RequestAbortedError
      return /TIMEOUT|ABORT/i.test(code ?? name) ? 'timeout' : 'failed';
  }
}

const CANNED: Partial<Record<NetworkFailureReason, string>> = {
  refused: 'connection refused',
  not_found: 'host not found',
  timeout: 'no answer in time',
};

export function describeNetworkError(error: unknown): NetworkError {
  const cause = error instanceof Error ? error.cause : undefined;
  const own = codeOf(error);
  const code = own ?? codeOf(cause);
  const reason = reasonOf(error instanceof Error ? error.name : '', code);
  // A wrapper without a code of its own (fetch's "fetch failed") says nothing; the cause says what failed ("bad port").
  const detail =
    own === undefined && cause instanceof Error && cause.message !== '' ? cause.message : errorMessage(error);
  return { reason, code, message: CANNED[reason] ?? detail };
}
