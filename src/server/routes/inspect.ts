/**
 * The browser call inspector:
 *   GET  /_inspect                          the page (loopback only unless ADMIN_TOKEN is set; it holds no data)
 *   GET  /_inspect/assets/<file>            its bundled script and style (built into dist/inspector by esbuild)
 *   GET  /_inspect/api/calls                { calls: CallSummary[] }, newest first
 *   GET  /_inspect/api/calls/:callSid       CallView (?pii=1: phone numbers unmasked)
 *   GET  /_inspect/api/events               server-sent events: `exchange` as each webhook exchange completes
 *   POST /_inspect/api/exchanges/:id/replay the request sent again to this server, as it came in
 *   POST /_inspect/api/calls/:callSid/keys  { keys }: the call waiting at a Gather continued as Exotel would
 * The API is behind the admin bearer token, compared in constant time (auth.ts). The events are read with fetch
 * and the Authorization header, not EventSource (which cannot send one), so no secret ever rides in a URL or a log.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { httpRequest, type HttpMethod } from '../../http/client.ts';
import type { HistoryStore, SessionStore } from '../../stores/ports.ts';
import { adminAuth, loopbackGuard, type AdminAuthOptions } from '../auth.ts';
import type { Exchange, ExchangeLog } from '../exchanges.ts';
import { callView, exchangeParams, listCallSummaries } from '../inspect-view.ts';
import { SERVER_CLOSING } from '../listen.ts';

/** What the keypad needs from simulate/continue.ts, which serve injects (server/ never imports simulate/, rule 3). */
type KeypadInput = {
  document: string;
  documentUrl: string;
  firstParams: Readonly<Record<string, string>>;
  keys: string;
  timeoutMs: number;
  /** Where the request goes (path and query from the action): this server, never a host a webhook named. */
  sendTo?: string;
};
type KeypadResult =
  | { ok: true; request: unknown; status: number; ms: number }
  | { ok: false; reason: string; request?: unknown };
export type PressKeys = (input: KeypadInput) => Promise<KeypadResult>;

export type InspectorDeps = {
  exchanges: ExchangeLog;
  sessions: SessionStore;
  history: HistoryStore;
  admin: AdminAuthOptions;
  /** The folder of index.html, app.js and app.css. */
  assetsDir: string;
  pressKeys?: PressKeys;
};

/** Exotel's budget for an application URL (docs/exotel-protocol.md §1.5): replays and keys get the same. */
const SEND_TIMEOUT_MS = 5000;
const HEARTBEAT_MS = 15_000;
const ASSETS = new Set(['app.js', 'app.css']);
/** The page loads its own script and style and talks to this server only. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** This server as its own clients reach it: the socket's local address, whatever Host the browser used. */
function selfOrigin(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host =
    address.includes(':') && !address.startsWith('::ffff:') ? `[${address}]` : address.replace(/^::ffff:/, '');
  return `http://${host}:${req.socket.localPort}`;
}

/** The origin the user's browser sees, for `curl` lines they paste into their own terminal. */
const browserOrigin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

function sendPage(deps: InspectorDeps) {
  return (_req: Request, res: Response) => {
    const page = join(deps.assetsDir, 'index.html');
    if (!existsSync(page)) {
      res.status(503).type('text/plain').send('the inspector is not built: run `npm run build`\n');
      return;
    }
    res.set({ 'Content-Security-Policy': PAGE_POLICY, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    res.sendFile(page);
  };
}

function streamEvents(deps: InspectorDeps) {
  const open = new Set<Response>();
  let hooked = false;
  return (req: Request, res: Response) => {
    // The server is shutting down: end every stream, or closing it would wait for the browser tabs to go away.
    if (!hooked) {
      hooked = true;
      req.app.once(SERVER_CLOSING, () => {
        for (const stream of open) stream.end();
      });
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(': connected\n\n');
    open.add(res);
    const unsubscribe = deps.exchanges.subscribe((exchange) => {
      const data = { id: exchange.id, callSid: exchange.callSid ?? null, path: exchange.path, status: exchange.status };
      res.write(`event: exchange\nid: ${exchange.id}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    });
  };
}

async function replay(exchange: Exchange, origin: string) {
  const json = /json/.test(exchange.headers['content-type'] ?? '');
  const body =
    exchange.body === undefined
      ? undefined
      : json
        ? JSON.stringify(exchange.body)
        : new URLSearchParams(exchange.body).toString();
  const result = await httpRequest({
    url: `${origin}${exchange.url}`,
    method: exchange.method as HttpMethod,
    headers: {
      ...exchange.headers,
      ...(body !== undefined && !json ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    timeoutMs: SEND_TIMEOUT_MS,
    maxBytes: 1024 * 1024,
  });
  return result.ok ? { ok: true, status: result.status, ms: result.ms } : { ok: false, reason: result.message };
}

async function continueCall(deps: InspectorDeps, req: Request, res: Response) {
  const callSid = String(req.params.callSid);
  const keys = typeof req.body?.keys === 'string' ? req.body.keys : '';
  if (!/^[0-9*#]{1,32}$/.test(keys)) {
    res.status(400).json({ error: 'keys must be 1-32 of 0-9 * #' });
    return;
  }
  if (!deps.pressKeys) {
    res.status(501).json({ error: 'this server was started without the keypad' });
    return;
  }
  const exchanges = deps.exchanges.forCall(callSid);
  const first = exchanges[0];
  const last = exchanges[exchanges.length - 1];
  if (first === undefined || last === undefined) {
    res.status(404).json({ error: `no webhook of ${callSid} is in the inspector's memory` });
    return;
  }
  const origin = selfOrigin(req);
  const result = await deps.pressKeys({
    document: last.response,
    documentUrl: `${origin}${last.url}`,
    firstParams: exchangeParams(first),
    keys,
    timeoutMs: SEND_TIMEOUT_MS,
    sendTo: origin,
  });
  res.status(result.ok ? 200 : 409).json(result.ok ? result : { error: result.reason, request: result.request });
}

export function registerInspectorRoutes(router: Router, deps: InspectorDeps) {
  const guard = loopbackGuard(deps.admin);
  router.get('/_inspect', guard, sendPage(deps));
  router.get('/_inspect/assets/:file', guard, (req, res) => {
    const file = String(req.params.file);
    if (!ASSETS.has(file)) {
      res.status(404).type('text/plain').send('no such asset\n');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(join(deps.assetsDir, file));
  });

  const api = express.Router();
  api.use(adminAuth(deps.admin), express.json({ limit: '4kb' }));
  api.get('/calls', async (_req, res) => {
    res.json({ calls: await listCallSummaries(deps) });
  });
  api.get('/calls/:callSid', async (req, res) => {
    const view = await callView(deps, String(req.params.callSid), {
      pii: req.query.pii === '1',
      origin: browserOrigin(req),
    });
    if (view === undefined) {
      res.status(404).json({ error: `nothing is known of ${String(req.params.callSid)}` });
      return;
    }
    res.json(view);
  });
  api.get('/events', streamEvents(deps));
  api.post('/exchanges/:id/replay', async (req, res) => {
    const exchange = deps.exchanges.get(Number(req.params.id));
    if (exchange === undefined) {
      res.status(404).json({ error: 'that exchange has left the ring (or never was)' });
      return;
    }
    res.json(await replay(exchange, selfOrigin(req)));
  });
  api.post('/calls/:callSid/keys', (req, res) => continueCall(deps, req, res));
  router.use('/_inspect/api', api);
}
