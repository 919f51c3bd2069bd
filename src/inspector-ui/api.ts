/**
 * The page's only way to the server: the inspector API (server/routes/inspect.ts) with the admin token in the
 * Authorization header. The token lives in this tab's sessionStorage; `inspect --web` hands it over in the URL
 * fragment (never sent to the server, so never in its logs), which the page moves here and clears.
 */
import type { CallSummary, CallView, ExchangeView } from '../server/inspect-view.ts';

const TOKEN_KEY = 'exo-passthru.admin-token';

export function takeToken(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const handed = fragment.get('token');
  if (handed) {
    sessionStorage.setItem(TOKEN_KEY, handed);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class Unauthorized extends Error {}

/**
 * The answers' shapes are the server's own (server/inspect-view.ts builds them), imported type-only: esbuild
 * erases `import type`, so no server code reaches the bundle (docs/architecture.md rule 8).
 */
export type { CallSummary, CallView, ExchangeView } from '../server/inspect-view.ts';

export type Finding = ExchangeView['findings'][number];

export type Api = ReturnType<typeof createApi>;

export function createApi(token: string) {
  const headers = { authorization: `Bearer ${token}` };
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(path, { ...init, headers: { ...headers, ...(init.headers ?? {}) } });
    if (res.status === 401) throw new Unauthorized('the server refused the token');
    return res;
  };
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await call(path, init);
    const body = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
    return body;
  };
  return {
    calls: () => json<{ calls: CallSummary[] }>('/_inspect/api/calls').then((b) => b.calls),
    call: (sid: string, pii: boolean) =>
      json<CallView>(`/_inspect/api/calls/${encodeURIComponent(sid)}${pii ? '?pii=1' : ''}`),
    replay: (id: number) =>
      json<{ ok: boolean; status?: number; reason?: string }>(`/_inspect/api/exchanges/${id}/replay`, {
        method: 'POST',
      }),
    keys: (sid: string, keys: string) =>
      json<{ ok: true; status: number }>(`/_inspect/api/calls/${encodeURIComponent(sid)}/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keys }),
      }),
    /** The `test` scenario file of a call (admin API); `undefined` when the server answers 404. */
    scenario: async (sid: string): Promise<string | undefined> => {
      const res = await call(`/admin/calls/${encodeURIComponent(sid)}/scenario`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    },
    events: (signal: AbortSignal) => call('/_inspect/api/events', { signal }),
  };
}
