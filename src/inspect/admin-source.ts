/**
 * Reading through serve's admin API (src/server/routes/admin.ts), Bearer token auth. Opening asks
 * GET /admin/stores first, so a wrong token, a server that is not exo-passthru, or no server at all is reported
 * before any output, with the flag that fixes it.
 */
import { AppError, UnreachableError, UsageError } from '../errors.ts';
import { describeNetworkError } from '../http/network-error.ts';
import type { CallQuery, CallRow, SessionEntry, SessionQuery } from '../stores/ports.ts';
import type { CallDetail, InspectSource, SourceDescription } from './source.ts';

export type AdminSourceOptions = {
  /** Base URL of serve, e.g. http://127.0.0.1:8000 */
  server: string;
  token: string | undefined;
  /** Where the token came from, named in the 401 message (the CLI passes its flag, variable or token file). */
  tokenSource?: string;
  /** Bound on each request; 5 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
};

type StoresReply = { sessions: SourceDescription['sessions']; history: SourceDescription['history'] };

/** `cannot reach <server>: ECONNREFUSED`: the errno as is (fetch hides it on its cause), or what failed ("bad port"). */
function failureReason(error: unknown): string {
  const failure = describeNetworkError(error);
  return failure.reason === 'timeout' ? failure.message : (failure.code ?? failure.message);
}

function unreachable(server: string, error: unknown): UnreachableError {
  return new UnreachableError('server', `cannot reach ${server}: ${failureReason(error)}`, { cause: error });
}

function unauthorized(server: string, options: AdminSourceOptions): UsageError {
  const what = options.token === undefined ? 'no admin token was found' : `the admin token${options.tokenSource === undefined ? '' : ` from ${options.tokenSource}`} was refused`;
  return new UsageError(`${server} answered 401 Unauthorized: ${what}`, {
    code: 'E_ADMIN_TOKEN',
    setting: 'adminToken',
  });
}

async function errorText(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200).trim() || res.statusText;
}

export async function openAdminSource(options: AdminSourceOptions): Promise<InspectSource> {
  const server = options.server.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const get = async (path: string, params: Record<string, string | undefined> = {}): Promise<Response> => {
    const url = new URL(`${server}${path}`);
    for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let res: Response;
    try {
      res = await doFetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
    } catch (error) {
      throw unreachable(server, error);
    }
    if (res.ok || res.status === 404) return res;
    const text = await errorText(res);
    if (res.status === 401) throw unauthorized(server, options);
    if (res.status === 403) throw new UsageError(`${server} answered 403: ${text}`, { hint: 'run inspect on the machine serve runs on, or start serve with ADMIN_TOKEN set' });
    if (res.status === 400) throw new UsageError(`${server} rejected the query: ${text}`);
    // serve answers 5xx when its own Redis or PostgreSQL fails: a dependency is down, exit 3.
    throw new UnreachableError('server', `${server}${path} answered ${res.status}: ${text}`, { hint: `see ${server}/health and serve's log` });
  };
  const json = async <T>(res: Response, what: string): Promise<T> => {
    try {
      return (await res.json()) as T;
    } catch (error) {
      throw new AppError(`${what}: the answer is not JSON`, { code: 'E_SERVER', component: 'server', cause: error });
    }
  };

  const storesRes = await get('/admin/stores');
  if (storesRes.status === 404) {
    await storesRes.body?.cancel();
    throw new UsageError(`${server} has no /admin/stores: is it an exo-passthru serve?`, { code: 'E_NOT_EXO_SERVER' });
  }
  const stores = await json<StoresReply>(storesRes, 'GET /admin/stores');
  const description: SourceDescription = { mode: 'server', sessions: stores.sessions, history: stores.history, server };

  return {
    description,
    async sessions(query: SessionQuery): Promise<SessionEntry[]> {
      const res = await get('/admin/sessions', { call_sid: query.callSid, customer_id: query.customerId, limit: query.limit?.toString() });
      const body = await json<{ sessions: Array<{ session: SessionEntry['session']; ttlSeconds?: number | null }> }>(res, 'GET /admin/sessions');
      return body.sessions.map((entry) => ({ session: entry.session, ttlSeconds: entry.ttlSeconds ?? undefined }));
    },
    async calls(query: CallQuery): Promise<CallRow[]> {
      const params = { customer_id: query.customerId, outcome: query.outcome, since: query.since?.toISOString(), limit: query.limit?.toString() };
      const res = await get('/admin/calls', params);
      return (await json<{ calls: CallRow[] }>(res, 'GET /admin/calls')).calls;
    },
    async call(callSid: string): Promise<CallDetail | undefined> {
      const res = await get(`/admin/calls/${encodeURIComponent(callSid)}`);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      const body = await json<Omit<CallDetail, 'callSid'>>(res, `GET /admin/calls/${callSid}`);
      return { callSid, session: body.session, ttlSeconds: body.ttlSeconds, call: body.call, customer: body.customer, events: body.events };
    },
    close: async () => {},
  };
}
