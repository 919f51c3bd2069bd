/**
 * One step's request on the wire (src/http/client.ts: no redirects followed, docs/exotel-protocol.md §1.4; a hard
 * time budget over headers and body, §1.5; a size cap), with every failure phrased for the simulate transcript
 * and marked `unreachable` when the server is not there at all, `silent` when it gives no answer in time (simulate
 * exits 3 for both).
 */
import type { Dispatcher } from 'undici';
import { httpRequest, type HttpFailure } from '../http/client.ts';
import { toWire } from './exotel-request.ts';
import type { InputNames, SimRequest } from './types.ts';

export type HttpOptions = {
  timeoutMs: number;
  /** undici dispatcher (the global one by default); tests and the CLI pass their own Agent. */
  dispatcher?: Dispatcher;
  /** Monotonic milliseconds, for latency. */
  clock?: () => number;
  maxBytes?: number;
  /** How the caller names its inputs in reason texts (the time budget here). */
  names?: InputNames;
};

export type StepHttpResult =
  | { ok: true; status: number; contentType: string; location: string | undefined; body: Uint8Array; ms: number }
  | { ok: false; reason: string; unreachable: boolean; silent?: boolean; ms: number };

/** ExoML documents are capped at 1 MB by the parser; read a little more to say "too large" clearly. */
const MAX_BYTES = 1024 * 1024 + 1;

function describeFailure(failure: HttpFailure, url: string, timeoutMs: number, timeoutName: string | undefined): { reason: string; unreachable: boolean; silent?: boolean } {
  const { host, hostname } = new URL(url);
  switch (failure.reason) {
    case 'timeout':
    case 'aborted':
      return { reason: `no complete answer within ${timeoutMs} ms${timeoutName ? ` (${timeoutName})` : ''}: Exotel gives up and takes the failure path`, unreachable: false, silent: true };
    case 'refused':
      return { reason: `connection refused by ${host}: is the server running?`, unreachable: true };
    case 'not_found':
      return { reason: `host ${hostname} not found (DNS)`, unreachable: true };
    case 'reset':
      return { reason: `${host} closed the connection without an answer`, unreachable: false };
    case 'failed':
      return { reason: `request to ${host} failed: ${failure.message}`, unreachable: false };
  }
}

export async function sendRequest(req: SimRequest, options: HttpOptions): Promise<StepHttpResult> {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const wire = toWire(req);
  const result = await httpRequest({
    url: wire.url,
    method: req.method,
    headers: {
      'user-agent': 'exo-passthru-simulate',
      ...(wire.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(wire.body !== undefined ? { body: wire.body } : {}),
    timeoutMs: options.timeoutMs,
    maxBytes,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (!result.ok) return { ok: false, ...describeFailure(result, wire.url, options.timeoutMs, options.names?.timeout), ms: result.ms };
  if (result.truncated) return { ok: false, reason: `the response is larger than ${maxBytes - 1} bytes`, unreachable: false, ms: result.ms };
  return { ok: true, status: result.status, contentType: result.contentType ?? '', location: result.location, body: result.body, ms: result.ms };
}
