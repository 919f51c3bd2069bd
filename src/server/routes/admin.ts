/**
 * Read-only admin API for `inspect` (sessions and calls). Mounted behind adminAuth. Stable JSON shapes:
 *   GET /admin/sessions?call_sid&customer_id&limit  → { sessions: [{ session, ttlSeconds }] }
 *   GET /admin/calls?customer_id&outcome&since&limit → { calls: CallRow[] }
 *   GET /admin/calls/:callSid                        → { session, ttlSeconds, call, customer, events }
 *   GET /admin/calls/:callSid/scenario?pii=1         → the call's webhooks as scenario YAML (text/yaml), from the
 *                                                      in-memory exchange log; 404 once the ring has let it go
 */
import type { Request, Response, Router } from 'express';
import { OUTCOMES, type Outcome } from '../../domain/call.ts';
import { scenarioFromExchanges } from '../../scenarios/from-exchanges.ts';
import type { HistoryStore, SessionStore } from '../../stores/ports.ts';
import { parseWholeNumber } from '../../util/whole-number.ts';
import type { ExchangeLog } from '../exchanges.ts';
import { isValidHost, requestBase } from '../request-base.ts';

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

class BadQuery extends Error {}

function limitOf(req: Request): number | undefined {
  const raw = str(req.query.limit);
  if (raw === undefined) return undefined;
  const limit = parseWholeNumber(raw, { min: 1, max: 1000 });
  if (limit === undefined) throw new BadQuery('limit must be 1-1000');
  return limit;
}

function outcomeOf(req: Request): Outcome | undefined {
  const raw = str(req.query.outcome);
  if (raw === undefined) return undefined;
  if (!(OUTCOMES as readonly string[]).includes(raw))
    throw new BadQuery(`outcome must be one of ${OUTCOMES.join(', ')}`);
  return raw as Outcome;
}

function sinceOf(req: Request): Date | undefined {
  const raw = str(req.query.since);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new BadQuery('since must be an ISO date or timestamp');
  return date;
}

function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (error instanceof BadQuery) {
        res.status(400).json({ error: error.message });
        return;
      }
      throw error;
    }
  };
}

type AdminDeps = {
  sessions: SessionStore;
  history: HistoryStore;
  exchanges?: ExchangeLog | undefined;
  baseUrl: string | undefined;
};

/** `?pii=1` (or `true`): keep phone numbers and names; anything else, or nothing, redacts. */
const wantsPii = (req: Request) => ['1', 'true', 'yes'].includes(String(req.query.pii ?? '').toLowerCase());

/** The scenario's url: points where this server is reached: BASE_URL, else the request's own (checked) Host. */
function originOf(req: Request, baseUrl: string | undefined): string {
  const host = req.get('host');
  return baseUrl || (host !== undefined && isValidHost(host) ? requestBase(req, undefined) : 'http://localhost');
}

export function registerAdminRoutes(router: Router, deps: AdminDeps) {
  router.get(
    '/admin/stores',
    handle(async (_req, res) => {
      res.json({ sessions: deps.sessions.kind, history: deps.history.kind });
    }),
  );
  router.get(
    '/admin/sessions',
    handle(async (req, res) => {
      const query = { callSid: str(req.query.call_sid), customerId: str(req.query.customer_id), limit: limitOf(req) };
      const entries = await deps.sessions.list(
        Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
      );
      res.json({ sessions: entries });
    }),
  );
  router.get(
    '/admin/calls',
    handle(async (req, res) => {
      const query = {
        customerId: str(req.query.customer_id),
        outcome: outcomeOf(req),
        since: sinceOf(req),
        limit: limitOf(req),
      };
      const calls = await deps.history.listCalls(
        Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
      );
      res.json({ calls });
    }),
  );
  router.get('/admin/calls/:callSid/scenario', (req, res) => {
    const callSid = String(req.params.callSid);
    const exchanges = deps.exchanges?.forCall(callSid) ?? [];
    const made = scenarioFromExchanges(callSid, exchanges, {
      origin: originOf(req, deps.baseUrl),
      pii: wantsPii(req),
      at: exchanges[0] ? new Date(exchanges[0].at) : new Date(),
      by: 'exo-passthru serve (GET /admin/calls/…/scenario)',
    });
    if (!made.ok) {
      res.status(404).json({ error: `no webhook exchanges kept for ${callSid}: the log is in memory and bounded` });
      return;
    }
    res.type('text/yaml; charset=utf-8').send(made.yaml);
  });
  router.get(
    '/admin/calls/:callSid',
    handle(async (req, res) => {
      const callSid = String(req.params.callSid);
      const [session, ttlSeconds, call, events] = await Promise.all([
        deps.sessions.get(callSid),
        deps.sessions.ttl(callSid),
        deps.history.getCall(callSid),
        deps.history.listEvents(callSid),
      ]);
      const customerId = call?.customer_id ?? session?.customer?.customer_id;
      const customer = customerId ? await deps.history.getCustomer(customerId) : undefined;
      if (!session && !call) {
        res.status(404).json({ error: `no session or call row for ${callSid}` });
        return;
      }
      res.json({
        session: session ?? null,
        ttlSeconds: ttlSeconds ?? null,
        call: call ?? null,
        customer: customer ?? null,
        events,
      });
    }),
  );
}
