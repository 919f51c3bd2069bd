/**
 * Fetch a URL the way Exotel would before validating the answer (docs/exotel-protocol.md §10.2): GET (or POST with
 * the same fields as a form, the developer.exotel.com flavour) with Exotel-shaped call parameters appended to
 * the URL's own query string, `Exotel-Version: 1.0` for the Gather/Connect applets, HEAD + GET for Greeting
 * URLs, no redirects followed, a time budget over headers and body, and a size cap.
 */
import { createCallSid, passthruCallParams } from '../../exotel/call.ts';
import type { SurfaceKind } from '../../exoml/surface.ts';
import { UnreachableError } from '../../errors.ts';

export type FetchOptions = { method: 'GET' | 'POST'; timeoutMs: number; kind: SurfaceKind | undefined; maxBytes: number; now?: Date };

export type Fetched = { status: number; contentType: string | undefined; body: Uint8Array; truncated: boolean; head?: { status: number; contentType: string | undefined } };

const CUSTOMER = '09876543210';
const EXOPHONE = '08047112233';

/** The call-detail parameters of the first Passthru hit (§10.2 item 1); Greeting URLs get the short set (item 9). */
export function exotelParams(kind: SurfaceKind | undefined, now: Date, callSid = createCallSid()): Array<[string, string]> {
  if (kind === 'greeting') return [['CallSid', callSid], ['From', CUSTOMER], ['To', EXOPHONE], ['DialWhomNumber', '']];
  return Object.entries(passthruCallParams({ callSid, from: CUSTOMER, to: EXOPHONE, startedAt: now, now }));
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function unreachable(url: URL, error: unknown, timeoutMs: number): UnreachableError {
  const code = (e: unknown) => (typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '');
  const name = error instanceof Error ? error.name : '';
  const reason = name === 'TimeoutError' || name === 'AbortError' ? name : code(error) || code(error instanceof Error ? error.cause : undefined) || name;
  const text =
    reason === 'ECONNREFUSED'
      ? 'connection refused'
      : /TIMEOUT|Abort/i.test(reason)
        ? `no answer within ${timeoutMs} ms`
        : reason === 'ENOTFOUND' || reason === 'EAI_AGAIN'
          ? 'host not found'
          : error instanceof Error ? error.message : String(error);
  return new UnreachableError('http', `${url.origin}: ${text}`, { cause: error, hint: 'is the server running? raise the budget with --timeout <ms>' });
}

async function once(url: URL, method: 'GET' | 'POST' | 'HEAD', form: string | undefined, options: FetchOptions, signal: AbortSignal) {
  const headers: Record<string, string> = { 'user-agent': 'exo-passthru-validate' };
  if (options.kind === 'gather-json' || options.kind === 'connect-json') headers['exotel-version'] = '1.0';
  if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  // undici (~30 MB, ~60 ms to load) only when a URL is validated, not for files.
  const { request } = await import('undici');
  const res = await request(url, { method, headers, body: form, signal, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > options.maxBytes) {
      truncated = true;
      res.body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode, contentType: header(res.headers['content-type']), body: Buffer.concat(chunks), truncated };
}

export async function fetchLikeExotel(target: string, options: FetchOptions): Promise<Fetched> {
  const url = new URL(target);
  const params = exotelParams(options.kind, options.now ?? new Date());
  let form: string | undefined;
  if (options.method === 'GET') for (const [k, v] of params) url.searchParams.append(k, v);
  else form = new URLSearchParams(params).toString();
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const head = options.kind === 'greeting' ? await once(url, 'HEAD', undefined, options, signal) : undefined;
    const got = await once(url, options.method, form, options, signal);
    return head ? { ...got, head: { status: head.status, contentType: head.contentType } } : got;
  } catch (error) {
    throw unreachable(url, error, options.timeoutMs);
  }
}
