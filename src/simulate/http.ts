/**
 * One HTTP exchange as Exotel makes it, over undici: no redirects followed (a 3xx is a Passthru branch signal,
 * docs/exotel-protocol.md §1.4), a hard time budget covering headers and body (§1.5), a size cap, and every failure turned into data
 * (timeout, refused, reset) instead of an exception.
 */
import { request, type Dispatcher } from 'undici';
import { toWire } from './exotel-request.ts';
import type { SimRequest } from './types.ts';

export type HttpOptions = {
  timeoutMs: number;
  /** undici dispatcher (the global one by default); tests and the CLI pass their own Agent. */
  dispatcher?: Dispatcher;
  /** Monotonic milliseconds, for latency. */
  clock?: () => number;
  maxBytes?: number;
};

export type HttpResult =
  | { ok: true; status: number; contentType: string; location: string | undefined; body: Uint8Array; ms: number }
  | { ok: false; reason: string; unreachable: boolean; ms: number };

/** ExoML documents are capped at 1 MB by the parser; read a little more to say "too large" clearly. */
const MAX_BYTES = 1024 * 1024 + 1;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describeFailure(error: unknown, url: string): { reason: string; unreachable: boolean } {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const cause = error instanceof Error && error.cause instanceof Error && 'code' in error.cause ? String(error.cause.code) : '';
  const origin = new URL(url).host;
  switch (code || cause) {
    case 'ECONNREFUSED':
      return { reason: `connection refused by ${origin}: is the server running?`, unreachable: true };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `host ${new URL(url).hostname} not found (DNS)`, unreachable: true };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { reason: `${origin} closed the connection without an answer`, unreachable: false };
    default:
      return { reason: `request to ${origin} failed: ${error instanceof Error ? error.message : String(error)}`, unreachable: false };
  }
}

async function readBody(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function sendRequest(req: SimRequest, options: HttpOptions): Promise<HttpResult> {
  const clock = options.clock ?? (() => performance.now());
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const wire = toWire(req);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const started = clock();
  const elapsed = () => Math.round(clock() - started);
  try {
    const res = await request(wire.url, {
      method: req.method,
      headers: {
        'user-agent': 'exo-passthru-simulate',
        ...(wire.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: wire.body,
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const body = await readBody(res.body, maxBytes);
    if (body === undefined) {
      res.body.destroy();
      return { ok: false, reason: `the response is larger than ${maxBytes - 1} bytes`, unreachable: false, ms: elapsed() };
    }
    const headers = res.headers as Record<string, string | string[] | undefined>;
    return { ok: true, status: res.statusCode, contentType: header(headers, 'content-type') ?? '', location: header(headers, 'location'), body, ms: elapsed() };
  } catch (error) {
    if (signal.aborted) {
      return { ok: false, reason: `no complete answer within ${options.timeoutMs} ms (--timeout): Exotel gives up and takes the failure path`, unreachable: false, ms: elapsed() };
    }
    return { ok: false, ...describeFailure(error, wire.url), ms: elapsed() };
  }
}
