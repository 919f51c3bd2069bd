/**
 * Reading through serve's admin API (src/server/routes/admin.ts), Bearer token auth. Opening asks
 * GET /admin/stores first, so a wrong token, a server that is not exo-passthru, or no server at all is reported
 * before any output, with the flag that fixes it.
 *
 * Requests go through src/http/client.ts: one time budget over headers and body, a size cap, no redirects. Every
 * answer that cannot be used — too slow, too large, not JSON, JSON of another shape (admin-shape.ts) — is exit 3:
 * the server is ours, so such an answer means the server given is not a working exo-passthru admin API.
 */
import { UnreachableError, UsageError } from '../errors.ts';
import { httpRequest, type HttpFailure, type HttpResponse } from '../http/client.ts';
import type { CallQuery, CallRow, SessionEntry, SessionQuery } from '../stores/ports.ts';
import { checkAnswer, ShapeError } from './admin-shape.ts';
import type { CallDetail, InspectSource, SourceDescription } from './source.ts';

export type AdminSourceOptions = {
  /** Base URL of serve, e.g. http://127.0.0.1:8000 */
  server: string;
  token: string | undefined;
  /** Where the token came from, named in the 401 message (the CLI passes its flag, variable or token file). */
  tokenSource?: string;
  /** Budget for each request, headers and body; 5 s by default. */
  timeoutMs?: number;
  /** Largest answer read; 16 MB by default (1,000 calls with their parameters are well under 1 MB). */
  maxBytes?: number;
};

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** The budget covers headers and body alike: a server that never answers and one that never finishes are one case. */
function unreachable(server: string, path: string, failure: HttpFailure, timeoutMs: number): UnreachableError {
  const message =
    failure.reason === 'timeout'
      ? `${server} gave no complete answer to GET ${path} within ${timeoutMs} ms`
      : `cannot reach ${server}: ${failure.code ?? failure.message}`;
  return new UnreachableError('server', message, { cause: failure.cause });
}

/** An answer inspect cannot use: exit 3, like a server that does not answer. */
function unusable(what: string, message: string, cause?: unknown): UnreachableError {
  return new UnreachableError('server', `${what}: ${message}`, { code: 'E_NOT_EXO_SERVER', ...(cause === undefined ? {} : { cause }) });
}

function unauthorized(server: string, options: AdminSourceOptions): UsageError {
  const what = options.token === undefined ? 'no admin token was found' : `the admin token${options.tokenSource === undefined ? '' : ` from ${options.tokenSource}`} was refused`;
  return new UsageError(`${server} answered 401 Unauthorized: ${what}`, {
    code: 'E_ADMIN_TOKEN',
    setting: 'adminToken',
  });
}

function errorText(res: HttpResponse): string {
  const body = new TextDecoder().decode(res.body);
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200).trim() || `HTTP ${res.status}`;
}

function parseJson(res: HttpResponse, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(res.body)) as unknown;
  } catch (error) {
    throw unusable(what, 'the answer is not JSON', error);
  }
}

export async function openAdminSource(options: AdminSourceOptions): Promise<InspectSource> {
  const server = options.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const get = async (path: string, params: Record<string, string | undefined> = {}): Promise<HttpResponse> => {
    const url = new URL(`${server}${path}`);
    for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const res = await httpRequest({ url, method: 'GET', headers, timeoutMs, maxBytes });
    if (!res.ok) throw unreachable(server, path, res, timeoutMs);
    if (res.truncated) throw unusable(`GET ${path}`, `answer larger than ${megabytes(maxBytes)}`);
    if ((res.status >= 200 && res.status < 300) || res.status === 404) return res;
    const text = errorText(res);
    if (res.status === 401) throw unauthorized(server, options);
    if (res.status === 403) throw new UsageError(`${server} answered 403: ${text}`, { hint: 'run inspect on the machine serve runs on, or start serve with ADMIN_TOKEN set' });
    if (res.status === 400) throw new UsageError(`${server} rejected the query: ${text}`);
    // serve answers 5xx when its own Redis or PostgreSQL fails: a dependency is down, exit 3.
    throw new UnreachableError('server', `${server}${path} answered ${res.status}: ${text}`, { hint: `see ${server}/health and serve's log` });
  };
  const read = <K extends Parameters<typeof checkAnswer>[0]>(res: HttpResponse, kind: K, what: string) => {
    const value = parseJson(res, what);
    try {
      return checkAnswer(kind, value);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      throw unusable(what, `not an exo-passthru admin API answer: ${error.message}`, error);
    }
  };

  const storesRes = await get('/admin/stores');
  if (storesRes.status === 404) {
    throw new UsageError(`${server} has no /admin/stores: is it an exo-passthru serve?`, { code: 'E_NOT_EXO_SERVER' });
  }
  const stores = read(storesRes, 'stores', 'GET /admin/stores');
  const description: SourceDescription = { mode: 'server', sessions: stores.sessions, history: stores.history, server };

  return {
    description,
    async sessions(query: SessionQuery): Promise<SessionEntry[]> {
      const res = await get('/admin/sessions', { call_sid: query.callSid, customer_id: query.customerId, limit: query.limit?.toString() });
      const body = read(res, 'sessions', 'GET /admin/sessions');
      return body.sessions.map((entry) => ({ session: entry.session, ttlSeconds: entry.ttlSeconds ?? undefined }));
    },
    async calls(query: CallQuery): Promise<CallRow[]> {
      const params = { customer_id: query.customerId, outcome: query.outcome, since: query.since?.toISOString(), limit: query.limit?.toString() };
      const res = await get('/admin/calls', params);
      return read(res, 'calls', 'GET /admin/calls').calls;
    },
    async call(callSid: string): Promise<CallDetail | undefined> {
      const res = await get(`/admin/calls/${encodeURIComponent(callSid)}`);
      if (res.status === 404) return undefined;
      const body = read(res, 'call', `GET /admin/calls/${callSid}`);
      return { callSid, session: body.session, ttlSeconds: body.ttlSeconds, call: body.call, customer: body.customer, events: body.events };
    },
    close: async () => {},
  };
}
