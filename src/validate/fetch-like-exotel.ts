/**
 * Fetch a URL the way Exotel would before validating the answer (docs/exotel-protocol.md §10.2): GET (or POST with
 * the same fields as a form, the developer.exotel.com flavour) with Exotel-shaped call parameters appended to
 * the URL's own query string, `Exotel-Version: 1.0` for the Gather/Connect applets, HEAD + GET for Greeting
 * URLs, no redirects followed, one time budget over both requests' headers and bodies, and a size cap.
 */
import { createCallSid, passthruCallParams } from '../exotel/call.ts';
import type { SurfaceKind } from '../exoml/surface.ts';
import { httpRequest, type HttpFailure, type HttpMethod } from '../http/client.ts';

export type SurfaceFetchOptions = { method: 'GET' | 'POST'; timeoutMs: number; kind: SurfaceKind | undefined; maxBytes: number; now?: Date };

/** A surface URL's answer, as the validator checks it; `head` is the Greeting's HEAD answer, compared with the GET. */
export type FetchedSurface = {
  ok: true;
  status: number;
  contentType: string | undefined;
  body: Uint8Array;
  truncated: boolean;
  head?: { status: number; contentType: string | undefined };
};

const CUSTOMER = '09876543210';
const EXOPHONE = '08047112233';

/** The call-detail parameters of the first Passthru hit (§10.2 item 1); Greeting URLs get the short set (item 9). */
function exotelParams(kind: SurfaceKind | undefined, now: Date, callSid = createCallSid()): Array<[string, string]> {
  if (kind === 'greeting') return [['CallSid', callSid], ['From', CUSTOMER], ['To', EXOPHONE], ['DialWhomNumber', '']];
  return Object.entries(passthruCallParams({ callSid, from: CUSTOMER, to: EXOPHONE, startedAt: now, now }));
}

/** The answer, or the network failure as data (refused, timeout, …); never throws for the network. */
export async function fetchLikeExotel(target: string, options: SurfaceFetchOptions): Promise<FetchedSurface | HttpFailure> {
  const url = new URL(target);
  const params = exotelParams(options.kind, options.now ?? new Date());
  let form: string | undefined;
  if (options.method === 'GET') for (const [k, v] of params) url.searchParams.append(k, v);
  else form = new URLSearchParams(params).toString();
  const headers: Record<string, string> = { 'user-agent': 'exo-passthru-validate' };
  if (options.kind === 'gather-json' || options.kind === 'connect-json') headers['exotel-version'] = '1.0';
  const signal = AbortSignal.timeout(options.timeoutMs);
  const once = (method: HttpMethod, body: string | undefined) =>
    httpRequest({
      url,
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      timeoutMs: options.timeoutMs,
      signal,
      maxBytes: options.maxBytes,
    });
  let head: FetchedSurface['head'];
  if (options.kind === 'greeting') {
    const got = await once('HEAD', undefined);
    if (!got.ok) return got;
    head = { status: got.status, contentType: got.contentType };
  }
  const got = await once(options.method, form);
  if (!got.ok) return got;
  const fetched: FetchedSurface = { ok: true, status: got.status, contentType: got.contentType, body: got.body, truncated: got.truncated };
  return head ? { ...fetched, head } : fetched;
}
