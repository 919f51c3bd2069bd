/**
 * What the browser inspector (`/_inspect`) shows, built from the exchange ring (server/exchanges.ts) and the stores:
 * the calls the ring holds, newest first, and one call as a timeline of its webhooks — each answer checked by the
 * same validator as `validate`, timed against Exotel's budget, phone numbers masked unless asked — beside the
 * session and the call row with their differences, as `inspect call` calls them out (inspect/mismatch.ts).
 */
import { maskPhone } from '../exotel/phone.ts';
import type { Finding } from '../exoml/finding.ts';
import { parseExoml } from '../exoml/parse.ts';
import { validateSurface, type SurfaceKind } from '../exoml/surface.ts';
import { maskCall, maskCustomer, maskEvent, maskParams, maskSession } from '../inspect/mask.ts';
import { findMismatches, type Mismatch } from '../inspect/mismatch.ts';
import type { CallRow, HistoryStore, SessionStore } from '../stores/ports.ts';
import type { Exchange, ExchangeLog } from './exchanges.ts';

/**
 * Exotel waits about 5 s for an application URL before it gives up on the call, and the caller hears silence
 * long before that: simulate warns from 2 s (docs/exotel-protocol.md §1.5). StatusCallbacks get 15 s.
 */
const BUDGET_MS = 5000;
const SLOW_MS = 2000;
const CALLBACK_BUDGET_MS = 15_000;

/** The surface each of serve's routes answers with (README "Endpoints"). */
const SURFACES: Readonly<Record<string, SurfaceKind>> = {
  '/passthru-handler': 'exoml',
  '/gather-response': 'exoml',
  '/exotel/gather': 'gather-json',
  '/exotel/connect': 'connect-json',
  '/exotel/greeting': 'greeting',
};

type Sources = { exchanges: ExchangeLog; sessions: SessionStore; history: HistoryStore };

export type CallSummary = {
  callSid: string;
  at: string;
  lastAt: string;
  requests: number;
  customer: string | null;
  language: string | null;
  outcome: string | null;
  /** From the call row when it has ended, else first to last webhook. */
  durationMs: number;
  /** The last answer holds a Gather: the keypad can continue the call. */
  waiting: boolean;
};

export type ExchangeView = {
  id: number;
  at: string;
  method: string;
  path: string;
  params: Record<string, string>;
  status: number;
  contentType: string | null;
  kind: SurfaceKind | 'other';
  /** The answer as shown: JSON pretty-printed; the findings' lines point into it. */
  response: string;
  truncated: boolean;
  findings: Finding[];
  ms: number;
  budgetMs: number;
  slowMs: number;
  gather: boolean;
  curl: string;
};

/** Query and form together, as the routes read them (form wins, server/params.ts). */
export function exchangeParams(exchange: Exchange): Record<string, string> {
  return { ...exchange.query, ...(exchange.body ?? {}) };
}

function hasGather(text: string): boolean {
  if (!text.includes('<Gather')) return false;
  return parseExoml(text).root?.children.some((child) => child.name === 'Gather') ?? false;
}

function kindOf(exchange: Exchange): SurfaceKind | 'other' {
  const known = SURFACES[exchange.path];
  if (known !== undefined) return known;
  return /xml/.test(exchange.contentType ?? '') ? 'exoml' : 'other';
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function curlOf(exchange: Exchange, origin: string, params: Record<string, string>): string {
  const query = new URLSearchParams(
    Object.entries(params).filter(([k]) => exchange.body === undefined || !(k in exchange.body)),
  ).toString();
  const url = `${origin}${exchange.path}${query ? `?${query}` : ''}`;
  const parts = ['curl', '-sS', '-X', exchange.method, shellQuote(url)];
  if (exchange.body !== undefined) {
    const form = Object.keys(exchange.body).map((k): [string, string] => [k, params[k] ?? '']);
    parts.push('-H', shellQuote('content-type: application/x-www-form-urlencoded'));
    parts.push('--data', shellQuote(new URLSearchParams(form).toString()));
  }
  return parts.join(' ');
}

function exchangeView(exchange: Exchange, options: { pii: boolean; origin: string }): ExchangeView {
  const kind = kindOf(exchange);
  const response =
    kind === 'gather-json' || kind === 'connect-json' ? prettyJson(exchange.response) : exchange.response;
  const meta = { status: exchange.status, ...(exchange.contentType ? { contentType: exchange.contentType } : {}) };
  // Checked before masking: a masked number is not a phone number to the validator.
  const findings = kind === 'other' || exchange.truncated ? [] : validateSurface(response, { kind, meta }).findings;
  const params = maskParams(exchangeParams(exchange), options.pii);
  return {
    id: exchange.id,
    at: exchange.at,
    method: exchange.method,
    path: exchange.path,
    params,
    status: exchange.status,
    contentType: exchange.contentType ?? null,
    kind,
    response: options.pii ? response : maskPhone(response),
    truncated: exchange.truncated,
    findings,
    ms: exchange.ms,
    budgetMs: exchange.path.includes('status-callback') ? CALLBACK_BUDGET_MS : BUDGET_MS,
    slowMs: SLOW_MS,
    gather: kind === 'exoml' && hasGather(exchange.response),
    curl: curlOf(exchange, options.origin, params),
  };
}

/**
 * The call rows of the ring's calls: one query for the rows started since the oldest exchange (the ring holds
 * recent calls), then one lookup per call that query did not return (a row started earlier, or cut by the limit).
 */
async function rowsFor(history: HistoryStore, sids: readonly string[], since: Date): Promise<Map<string, CallRow>> {
  const rows = new Map<string, CallRow>();
  if (sids.length === 0) return rows;
  const wanted = new Set(sids);
  // A minute of slack: the row's started_at is written by the same request, a moment after the exchange began.
  for (const row of await history.listCalls({ since: new Date(since.getTime() - 60_000), limit: sids.length * 2 }))
    if (wanted.has(row.call_sid)) rows.set(row.call_sid, row);
  const missing = sids.filter((sid) => !rows.has(sid));
  const found = await Promise.all(missing.map((sid) => history.getCall(sid)));
  for (const row of found) if (row !== undefined) rows.set(row.call_sid, row);
  return rows;
}

/** The calls the ring holds, newest first, with what the stores say about each. */
export async function listCallSummaries(sources: Sources): Promise<CallSummary[]> {
  const byCall = new Map<string, Exchange[]>();
  for (const exchange of sources.exchanges.list()) {
    if (exchange.callSid === undefined) continue;
    const list = byCall.get(exchange.callSid) ?? [];
    list.push(exchange);
    byCall.set(exchange.callSid, list);
  }
  const oldest = sources.exchanges.list()[0];
  const rows = await rowsFor(sources.history, [...byCall.keys()], new Date(oldest?.at ?? Date.now()));
  const summaries = await Promise.all(
    [...byCall].map(async ([callSid, exchanges]) => {
      const call = rows.get(callSid);
      const session = await sources.sessions.get(callSid);
      const first = exchanges[0] as Exchange;
      const last = exchanges[exchanges.length - 1] as Exchange;
      const params = exchangeParams(first);
      const ended = call?.ended_at ? Date.parse(call.ended_at) - Date.parse(call.started_at) : undefined;
      return {
        callSid,
        at: first.at,
        lastAt: last.at,
        requests: exchanges.length,
        customer: session?.customer?.customer_name ?? params.customer_name ?? call?.customer_id ?? null,
        language: call?.language ?? session?.language ?? null,
        outcome: call?.outcome ?? session?.outcome ?? null,
        durationMs: ended ?? Date.parse(last.at) + last.ms - Date.parse(first.at),
        waiting: hasGather(last.response) && (call?.ended_at ?? null) === null,
      } satisfies CallSummary;
    }),
  );
  return summaries.sort((a, b) => b.at.localeCompare(a.at));
}

export type CallView = {
  callSid: string;
  exchanges: ExchangeView[];
  session: unknown;
  ttlSeconds: number | null;
  call: unknown;
  customer: unknown;
  events: unknown[];
  mismatches: Mismatch[];
  stores: { sessions: string; history: string };
  waiting: boolean;
};

export async function callView(
  sources: Sources,
  callSid: string,
  options: { pii: boolean; origin: string },
): Promise<CallView | undefined> {
  const exchanges = sources.exchanges.forCall(callSid);
  const [session, ttlSeconds, call, events] = await Promise.all([
    sources.sessions.get(callSid),
    sources.sessions.ttl(callSid),
    sources.history.getCall(callSid),
    sources.history.listEvents(callSid),
  ]);
  if (exchanges.length === 0 && !session && !call) return undefined;
  const customerId = call?.customer_id ?? session?.customer?.customer_id;
  const customer = customerId ? await sources.history.getCustomer(customerId) : undefined;
  const stores = { sessions: sources.sessions.kind, history: sources.history.kind };
  const last = exchanges[exchanges.length - 1];
  return {
    callSid,
    exchanges: exchanges.map((e) => exchangeView(e, options)),
    session: session ? maskSession(session, options.pii) : null,
    ttlSeconds: ttlSeconds ?? null,
    call: call ? maskCall(call, options.pii) : null,
    customer: customer ? maskCustomer(customer, options.pii) : null,
    events: events.map((e) => maskEvent(e, options.pii)),
    mismatches: findMismatches({ session: session ?? null, call: call ?? null, stores }),
    stores,
    waiting: last !== undefined && hasGather(last.response) && (call?.ended_at ?? null) === null,
  };
}
