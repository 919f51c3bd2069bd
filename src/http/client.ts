/**
 * One HTTP exchange the way Exotel makes it, over undici: no redirects followed (a 3xx is a Passthru branch
 * signal, docs/exotel-protocol.md §1.4), a hard time budget over headers and body (§1.5), a size cap that reports
 * `truncated`, and every network failure (refused, timeout, reset, DNS) returned as data, never thrown.
 * Used by `simulate` and by `validate` on URLs; undici (~30 MB, ~60 ms to load) is imported on the first request.
 */
import type { Dispatcher } from 'undici';
import { describeNetworkError, type NetworkFailureReason } from './network-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'HEAD';

export type HttpRequest = {
  url: string | URL;
  method: HttpMethod;
  headers?: Record<string, string>;
  /** Sent as is; the caller sets its content-type. */
  body?: string;
  /** The budget for the whole exchange, headers and body. */
  timeoutMs: number;
  /** A budget shared with other requests (HEAD then GET): whichever ends first ends this request. */
  signal?: AbortSignal;
  /** Read at most this many bytes of the body; more sets `truncated` and closes the connection. */
  maxBytes: number;
  /** undici dispatcher (the global one by default); tests and simulate pass their own Agent. */
  dispatcher?: Dispatcher;
  /** Monotonic milliseconds, for `ms`. */
  clock?: () => number;
};

export type HttpResponse = {
  ok: true;
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** At most maxBytes bytes. */
  body: Uint8Array;
  truncated: boolean;
  ms: number;
};

export type HttpFailure = {
  ok: false;
  /** 'timeout' when the budget ran out; 'aborted' when the caller's signal ended the request for another reason. */
  reason: NetworkFailureReason;
  code: string | undefined;
  message: string;
  /** The error as thrown, kept for --debug. */
  cause: unknown;
  ms: number;
};

export type HttpResult = HttpResponse | HttpFailure;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readCapped(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.byteLength > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      return { body: Buffer.concat(chunks), truncated: true };
    }
    size += chunk.byteLength;
    chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'TimeoutError';
}

export async function httpRequest(req: HttpRequest): Promise<HttpResult> {
  const clock = req.clock ?? (() => performance.now());
  const budget = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([budget, req.signal]) : budget;
  const started = clock();
  const elapsed = () => Math.round(clock() - started);
  try {
    const { request } = await import('undici');
    const res = await request(req.url, {
      method: req.method,
      ...(req.headers ? { headers: req.headers } : {}),
      body: req.body,
      signal,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
    const read = await readCapped(res.body, req.maxBytes);
    if (read.truncated) res.body.destroy();
    const headers = res.headers as Record<string, string | string[] | undefined>;
    return {
      ok: true,
      status: res.statusCode,
      contentType: header(headers, 'content-type'),
      location: header(headers, 'location'),
      headers,
      ...read,
      ms: elapsed(),
    };
  } catch (error) {
    if (signal.aborted) {
      const reason = isTimeout(signal.reason) ? 'timeout' : 'aborted';
      return { ok: false, reason, code: undefined, message: reason === 'timeout' ? 'no answer in time' : 'aborted', cause: error, ms: elapsed() };
    }
    return { ok: false, ...describeNetworkError(error), cause: error, ms: elapsed() };
  }
}
