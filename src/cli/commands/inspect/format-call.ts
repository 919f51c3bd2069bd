/**
 * `inspect call <CallSid>`: the session, the call row, the customer row, the events timeline and the mismatches,
 * as titled sections of table rows, or as the JSON of docs/inspect-json.md. Pure.
 */
import type { CallSession } from '../../../domain/call.ts';
import type { CallEventRow, CallRow, CustomerRow } from '../../../stores/ports.ts';
import {
  cell,
  envelope,
  formatDuration,
  formatTime,
  secondsSince,
  type FormatOptions,
  type JsonEnvelope,
  type TableRows,
} from './format.ts';
import { maskCall, maskCustomer, maskEvent, maskSession } from '../../../inspect/mask.ts';
import type { Mismatch } from '../../../inspect/mismatch.ts';
import type { CallDetail, SourceDescription } from '../../../inspect/source.ts';

export type CallJson = JsonEnvelope & {
  callSid: string;
  found: boolean;
  session: CallSession | null;
  ttlSeconds: number | null;
  call: CallRow | null;
  customer: CustomerRow | null;
  events: CallEventRow[];
  mismatches: Mismatch[];
};

/** A titled block; `table` with an empty head is a key/value list. */
export type Section = { title: string; table?: TableRows; note?: string };

export function callJson(
  callSid: string,
  detail: CallDetail | undefined,
  mismatches: readonly Mismatch[],
  source: SourceDescription,
  options: FormatOptions,
): CallJson {
  const show = options.showPii;
  return {
    ...envelope(source, options),
    callSid,
    found: detail !== undefined,
    session: detail?.session ? maskSession(detail.session, show) : null,
    ttlSeconds: detail?.ttlSeconds ?? null,
    call: detail?.call ? maskCall(detail.call, show) : null,
    customer: detail?.customer ? maskCustomer(detail.customer, show) : null,
    events: (detail?.events ?? []).map((event) => maskEvent(event, show)),
    mismatches: [...mismatches],
  };
}

const pairs = (entries: Array<[string, string | number | null | undefined]>): TableRows => ({
  head: [],
  rows: entries.map(([key, value]) => [key, cell(value)]),
});

function sessionSection(
  session: CallSession | null,
  ttlSeconds: number | null,
  kind: string | null,
  now: Date,
): Section {
  if (kind === null) return { title: 'session', note: 'not read: give --redis-url (or REDIS_URL) to read Redis' };
  if (session === null) return { title: `session (${kind})`, note: 'none: expired, deleted, or never written' };
  const digits =
    session.digits === undefined
      ? undefined
      : `${session.digits}${session.digitSource ? ` (from ${session.digitSource})` : ''}`;
  return {
    title: `session (${kind}, TTL ${ttlSeconds === null ? 'none' : formatDuration(ttlSeconds)})`,
    table: pairs([
      ['state', session.state],
      ['language', session.language],
      ['attempts', session.attempts],
      ['digits', digits],
      ['outcome', session.outcome],
      ['customer', session.customer?.customer_id],
      ['from', session.from],
      ['to', session.to],
      [
        'created (IST)',
        `${formatTime(session.createdAt)} (${formatDuration(secondsSince(session.createdAt, now))} ago)`,
      ],
      [
        'updated (IST)',
        `${formatTime(session.updatedAt)} (${formatDuration(secondsSince(session.updatedAt, now))} ago)`,
      ],
    ]),
  };
}

function callSection(call: CallRow | null, kind: string | null): Section {
  if (kind === null)
    return { title: 'call row', note: 'not read: give --database-url (or DATABASE_URL) to read PostgreSQL' };
  if (call === null) return { title: `call row (${kind})`, note: 'none' };
  const params = Object.entries(call.exotel_params).map(([key, value]): [string, string] => [`param ${key}`, value]);
  return {
    title: `call row (${kind})`,
    table: pairs([
      ['status', call.status],
      ['direction', call.direction],
      ['language', call.language],
      ['digits', call.digits],
      ['outcome', call.outcome],
      ['agent number', call.agent_number],
      ['customer', call.customer_id],
      ['dial status', call.dial_call_status],
      ['dial duration', call.dial_call_duration === null ? null : `${call.dial_call_duration} s`],
      ['recording', call.recording_url],
      ['final status', call.final_status],
      ['duration', call.duration === null ? null : `${call.duration} s`],
      ...Object.entries(call.stream ?? {}).map(([key, value]): [string, string] => [`stream ${key}`, value]),
      ['started (IST)', formatTime(call.started_at)],
      ['ended (IST)', formatTime(call.ended_at)],
      ['updated (IST)', formatTime(call.updated_at)],
      ...params,
    ]),
  };
}

function customerSection(customer: CustomerRow | null, customerId: string | null | undefined): Section {
  if (customer === null)
    return {
      title: 'customer',
      note: customerId ? `no customer row for ${customerId}` : 'none (the call carried no customer_id)',
    };
  return {
    title: 'customer',
    table: pairs([
      ['customer id', customer.customer_id],
      ['name', customer.name],
      ['phone', customer.phone],
      ['loan id', customer.loan_id],
      ['amount', customer.amount],
      ['due date', customer.due_date],
      ['state', customer.state],
      ['language code', customer.language_code],
      ['updated (IST)', formatTime(customer.updated_at)],
    ]),
  };
}

function eventsSection(events: readonly CallEventRow[], kind: string | null): Section {
  if (kind === null) return { title: 'events', note: 'not read (no history store)' };
  if (events.length === 0) return { title: 'events', note: 'none' };
  return {
    title: `events (${events.length})`,
    table: {
      head: ['#', 'AT (IST)', 'KIND', 'DETAIL'],
      rows: events.map((event, i) => [String(i + 1), formatTime(event.at), event.kind, JSON.stringify(event.detail)]),
    },
  };
}

function mismatchSection(mismatches: readonly Mismatch[], source: SourceDescription): Section {
  if (source.sessions === null || source.history === null)
    return { title: 'mismatches', note: 'not checked: needs both the session store and the history store' };
  if (mismatches.length === 0) return { title: 'mismatches', note: 'none: the session and the call row agree' };
  return {
    title: `mismatches (${mismatches.length})`,
    table: { head: ['KIND', 'WHAT'], rows: mismatches.map((m) => [m.kind, m.message]) },
  };
}

/** The sections of `inspect call`, values already masked unless --show-pii. */
export function callSections(json: CallJson, options: FormatOptions): Section[] {
  const { source } = json;
  return [
    sessionSection(json.session, json.ttlSeconds, source.sessions, options.now),
    callSection(json.call, source.history),
    customerSection(json.customer, json.call?.customer_id ?? json.session?.customer?.customer_id),
    eventsSection(json.events, source.history),
    mismatchSection(json.mismatches, source),
  ];
}
