/**
 * What every SessionStore shares, so memory and Redis behave identically: the JSON encoding of a session,
 * the guard that turns a foreign or corrupted value into "absent", TTL validation, and list() filtering.
 */
import type { CallSession } from '../domain/call.ts';
import { AppError } from '../errors.ts';
import type { SessionEntry, SessionQuery } from './ports.ts';
import { storable } from './storable.ts';

const DEFAULT_SESSION_LIMIT = 50;

/**
 * The session as stored, its strings cleaned as the history write cleans them (storable.ts): a NUL in a webhook's
 * customer_id must not leave the session holding `cn\u00001` while the call row says `cn1`, which `inspect`
 * would report as a mismatch and look up under different ids. Redis could hold the NUL; the point is agreement.
 */
export function encodeSession(session: CallSession): string {
  return JSON.stringify(storable(session));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parse a stored value. Anything that is not JSON, not shaped like a session, or whose callSid is not the one the
 * key names (another prefix nested under ours, a hand-written key) reads as absent rather than crashing a call.
 */
export function decodeSession(text: string | null | undefined, expectedCallSid: string): CallSession | undefined {
  if (text === null || text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value.callSid !== expectedCallSid) return undefined;
  if (typeof value.language !== 'string' || typeof value.state !== 'string') return undefined;
  if (
    typeof value.attempts !== 'number' ||
    typeof value.createdAt !== 'string' ||
    typeof value.updatedAt !== 'string'
  ) {
    return undefined;
  }
  if (value.customer !== undefined && !(isRecord(value.customer) && typeof value.customer.customer_id === 'string'))
    return undefined;
  // The checks above cover every required field of CallSession; optional fields are carried as written.
  return value as CallSession;
}

/** Both backends take whole seconds ≥ 1 (Redis `SET … EX` rejects anything else). */
export function assertTtl(store: string, ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new AppError(`session TTL must be a whole number of seconds ≥ 1, got ${ttlSeconds}`, {
      code: 'E_SESSION_TTL',
      component: store,
    });
  }
}

export function sessionLimit(query: SessionQuery): number {
  const limit = query.limit ?? DEFAULT_SESSION_LIMIT;
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_SESSION_LIMIT;
}

function matchesQuery(session: CallSession, query: SessionQuery): boolean {
  if (query.callSid !== undefined && session.callSid !== query.callSid) return false;
  if (query.customerId !== undefined && session.customer?.customer_id !== query.customerId) return false;
  return true;
}

function updatedAtMs(entry: SessionEntry): number {
  const ms = Date.parse(entry.session.updatedAt);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Filter, newest `updatedAt` first (CallSid breaks ties so the order is stable), then limit. */
export function selectSessions(entries: Iterable<SessionEntry>, query: SessionQuery = {}): SessionEntry[] {
  const matching = [...entries].filter((entry) => matchesQuery(entry.session, query));
  matching.sort((a, b) => updatedAtMs(b) - updatedAtMs(a) || (a.session.callSid < b.session.callSid ? -1 : 1));
  return matching.slice(0, sessionLimit(query));
}
