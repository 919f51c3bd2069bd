/**
 * Session (Redis / memory) vs call row (PostgreSQL / PGlite) for one call: where they disagree. The server
 * writes both on every webhook (call-service.ts), the row through the history writer (group commit, spool); a disagreement means a write was
 * lost or is still queued, a session expired, or someone edited a store by hand. Pure.
 */
import type { CallSession } from '../domain/call.ts';
import type { CallRow } from '../stores/ports.ts';

const MISMATCH_KINDS = [
  'row_missing',
  'session_missing',
  'digit_not_in_row',
  'digit_not_in_session',
  'digit_differs',
  'outcome_not_in_row',
  'outcome_not_in_session',
  'outcome_differs',
  'state_differs',
  'language_differs',
  'customer_differs',
] as const;
type MismatchKind = (typeof MISMATCH_KINDS)[number];

export type Mismatch = { kind: MismatchKind; message: string };

export type MismatchInput = {
  session: CallSession | null;
  call: CallRow | null;
  /** Store names for the messages, e.g. { sessions: 'redis', history: 'postgres' }. */
  stores?: { sessions: string; history: string };
};

/** A row without an end time and without an outcome: the call, as far as history knows, is still going. */
export function rowIsOpen(call: CallRow): boolean {
  return call.ended_at === null && call.outcome === null;
}

type Pair = { kind: 'digit' | 'outcome'; inSession: string | undefined; inRow: string | undefined };

function comparePair(pair: Pair, s: string, r: string): Mismatch | undefined {
  const { kind, inSession, inRow } = pair;
  const noun = kind;
  if (inSession !== undefined && inRow === undefined) {
    return { kind: `${kind}_not_in_row`, message: `${noun} "${inSession}" is in the session (${s}) but never reached the call row (${r})` };
  }
  if (inSession === undefined && inRow !== undefined) {
    return { kind: `${kind}_not_in_session`, message: `${noun} "${inRow}" is in the call row (${r}) but not in the session (${s})` };
  }
  if (inSession !== undefined && inRow !== undefined && inSession !== inRow) {
    return { kind: `${kind}_differs`, message: `${noun}: session (${s}) says "${inSession}", call row (${r}) says "${inRow}"` };
  }
  return undefined;
}

function compareBoth(session: CallSession, call: CallRow, s: string, r: string): Mismatch[] {
  const found: Array<Mismatch | undefined> = [
    comparePair({ kind: 'digit', inSession: session.digits, inRow: call.digits ?? undefined }, s, r),
    comparePair({ kind: 'outcome', inSession: session.outcome, inRow: call.outcome ?? undefined }, s, r),
  ];
  if (session.state !== call.status) {
    found.push({ kind: 'state_differs', message: `state: session (${s}) says "${session.state}", call row (${r}) says "${call.status}"` });
  }
  if (call.language !== null && session.language !== call.language) {
    found.push({ kind: 'language_differs', message: `language: session (${s}) says "${session.language}", call row (${r}) says "${call.language}"` });
  }
  const sessionCustomer = session.customer?.customer_id ?? null;
  if (sessionCustomer !== call.customer_id) {
    found.push({
      kind: 'customer_differs',
      message: `customer: session (${s}) says ${sessionCustomer ?? 'none'}, call row (${r}) says ${call.customer_id ?? 'none'}`,
    });
  }
  return found.filter((m): m is Mismatch => m !== undefined);
}

export function findMismatches(input: MismatchInput): Mismatch[] {
  const s = input.stores?.sessions ?? 'sessions';
  const r = input.stores?.history ?? 'history';
  const { session, call } = input;
  if (session !== null && call === null) {
    return [{ kind: 'row_missing', message: `the session (${s}) exists but there is no call row (${r}): the history write was lost or is still queued` }];
  }
  if (session === null && call !== null) {
    if (!rowIsOpen(call)) return [];
    return [
      {
        kind: 'session_missing',
        message: `no session (${s}): it expired or was deleted while the call row (${r}) says "${call.status}", not ended`,
      },
    ];
  }
  if (session === null || call === null) return [];
  return compareBoth(session, call, s, r);
}
