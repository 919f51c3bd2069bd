/**
 * Group commit: any number of history writes (call starts and updates, from many concurrent requests) become
 * ONE statement and one round trip. The writes are folded in order in JS — per customer and per call, a later
 * non-null value wins, as it would have had each write run on its own — and sent as three JSON arrays that
 * data-modifying CTEs upsert (customers, calls) and append (events). A single statement is atomic, and
 * foreign keys are checked at its end, after the customers CTE has run.
 *
 * Every write carries an id, stored on its event row under a unique index: replaying a batch that was
 * committed just before a crash (the spool had not yet recorded it as done) appends no event twice, and the
 * upserts re-apply the same values.
 */
import type { CallStart, CallUpdate, CustomerRow, HistoryWrite } from './ports.ts';
import { storable } from './storable.ts';

/** A customer row as one batch leaves it (the database keeps updated_at). */
type CustomerFold = Omit<CustomerRow, 'updated_at'>;

type CallFold = {
  call_sid: string;
  customer_id: string | null;
  status: string | null;
  direction: string | null;
  language: string | null;
  digits: string | null;
  outcome: string | null;
  agent_number: string | null;
  exotel_params: Record<string, string> | null;
  dial_call_status: string | null;
  dial_call_duration: number | null;
  recording_url: string | null;
  stream: Record<string, string> | null;
  final_status: string | null;
  duration: number | null;
  legs: Array<Record<string, string>> | null;
  started_at: string | null;
  ended_at: string | null;
};

type EventRow = { write_id: string; call_sid: string; at: string; kind: string; detail: Record<string, unknown> };

export type FoldedBatch = { customers: CustomerFold[]; calls: CallFold[]; events: EventRow[] };

/** `target[key] = value` for every key whose value is not null/undefined: a later write wins, a gap keeps. */
function overlay<T extends object>(target: T, values: { [K in keyof T]?: T[K] | null | undefined }): void {
  for (const key of Object.keys(values) as Array<keyof T>) {
    const value = values[key];
    if (value !== undefined && value !== null) target[key] = value as T[keyof T];
  }
}

function emptyCall(callSid: string): CallFold {
  return {
    call_sid: callSid,
    customer_id: null,
    status: null,
    direction: null,
    language: null,
    digits: null,
    outcome: null,
    agent_number: null,
    exotel_params: null,
    dial_call_status: null,
    dial_call_duration: null,
    recording_url: null,
    stream: null,
    final_status: null,
    duration: null,
    legs: null,
    started_at: null,
    ended_at: null,
  };
}

function foldStart(
  write: { at: string; start: CallStart },
  call: CallFold,
  customers: Map<string, CustomerFold>,
): void {
  const { start } = write;
  const c = start.customer;
  if (c) {
    const folded = customers.get(c.customer_id) ?? {
      customer_id: c.customer_id,
      name: null,
      phone: null,
      loan_id: null,
      amount: null,
      due_date: null,
      state: null,
      language_code: null,
    };
    overlay(folded, {
      name: c.customer_name,
      phone: c.phone,
      loan_id: c.loan_id,
      amount: c.amount === undefined ? undefined : String(c.amount),
      due_date: c.due_date,
      state: c.state,
      language_code: c.language_code,
    });
    customers.set(c.customer_id, folded);
  }
  overlay(call, {
    customer_id: c?.customer_id,
    status: start.status,
    direction: start.direction,
    language: start.language,
    exotel_params: start.exotelParams,
  });
  call.started_at ??= write.at;
}

function foldUpdate(write: { at: string; update: CallUpdate }, call: CallFold): void {
  const { update } = write;
  overlay(call, {
    status: update.status,
    digits: update.digits,
    outcome: update.outcome,
    agent_number: update.agentNumber,
  });
  const end = update.end;
  if (end) {
    overlay(call, {
      dial_call_status: end.dialCallStatus,
      dial_call_duration: end.dialCallDuration,
      recording_url: end.recordingUrl,
      stream: end.stream,
    });
    overlay(call, {
      final_status: end.finalStatus,
      duration: end.duration,
      legs: end.legs && end.legs.length > 0 ? end.legs : undefined,
    });
  }
  if (update.ended === true) call.ended_at = update.endedAt ?? write.at;
}

/** The writes of one batch, in order, as the rows of one statement. Strings are made storable here. */
export function foldBatch(writes: readonly HistoryWrite[]): FoldedBatch {
  const customers = new Map<string, CustomerFold>();
  const calls = new Map<string, CallFold>();
  const events: EventRow[] = [];
  const ids = new Set<string>();
  for (const raw of writes) {
    // The same write twice in one batch (a retried request with a derived id) is folded once.
    if (ids.has(raw.id)) continue;
    ids.add(raw.id);
    const write = storable(raw);
    const callSid = write.kind === 'start' ? write.start.callSid : write.update.callSid;
    const call = calls.get(callSid) ?? emptyCall(callSid);
    calls.set(callSid, call);
    if (write.kind === 'start') foldStart(write, call, customers);
    else foldUpdate(write, call);
    const event = write.kind === 'start' ? write.start.event : write.update.event;
    events.push({ write_id: write.id, call_sid: callSid, at: write.at, kind: event.kind, detail: event.detail });
  }
  return { customers: [...customers.values()], calls: [...calls.values()], events };
}

// Parameters go in as text and are cast in SQL, so pg and PGlite serialise them identically.
// A call written only by updates (its start never reached us) is created with status 'unknown'; an update
// that names no status keeps the stored one (hence the look-up in `batch_calls`, not `excluded`).
export const RECORD_BATCH = `
with batch_customers as (
  select * from jsonb_to_recordset($1::text::jsonb) as x(customer_id text, name text, phone text, loan_id text,
    amount text, due_date text, state text, language_code text)
), batch_calls as (
  select * from jsonb_to_recordset($2::text::jsonb) as x(call_sid text, customer_id text, status text,
    direction text, language text, digits text, outcome text, agent_number text, exotel_params jsonb,
    dial_call_status text, dial_call_duration integer, recording_url text, stream jsonb,
    final_status text, duration integer, legs jsonb, started_at timestamptz, ended_at timestamptz)
), customer as (
  insert into customers as c (customer_id, name, phone, loan_id, amount, due_date, state, language_code)
  select customer_id, name, phone, loan_id, amount::numeric, due_date::date, state, language_code from batch_customers
  on conflict (customer_id) do update set
    name = coalesce(excluded.name, c.name),
    phone = coalesce(excluded.phone, c.phone),
    loan_id = coalesce(excluded.loan_id, c.loan_id),
    amount = coalesce(excluded.amount, c.amount),
    due_date = coalesce(excluded.due_date, c.due_date),
    state = coalesce(excluded.state, c.state),
    language_code = coalesce(excluded.language_code, c.language_code),
    updated_at = now()
  returning customer_id
), call as (
  insert into calls as s (call_sid, customer_id, status, direction, language, digits, outcome, agent_number,
    exotel_params, dial_call_status, dial_call_duration, recording_url, stream, final_status, duration, legs,
    started_at, ended_at)
  select call_sid, customer_id, coalesce(status, 'unknown'), direction, language, digits, outcome, agent_number,
    coalesce(exotel_params, '{}'::jsonb), dial_call_status, dial_call_duration, recording_url, stream,
    final_status, duration, legs, coalesce(started_at, now()), ended_at
  from batch_calls
  on conflict (call_sid) do update set
    customer_id = coalesce(excluded.customer_id, s.customer_id),
    status = coalesce((select b.status from batch_calls b where b.call_sid = excluded.call_sid), s.status),
    direction = coalesce(excluded.direction, s.direction),
    language = coalesce(excluded.language, s.language),
    digits = coalesce(excluded.digits, s.digits),
    outcome = coalesce(excluded.outcome, s.outcome),
    agent_number = coalesce(excluded.agent_number, s.agent_number),
    exotel_params = case when (select b.exotel_params from batch_calls b where b.call_sid = excluded.call_sid) is null
      then s.exotel_params else excluded.exotel_params end,
    dial_call_status = coalesce(excluded.dial_call_status, s.dial_call_status),
    dial_call_duration = coalesce(excluded.dial_call_duration, s.dial_call_duration),
    recording_url = coalesce(excluded.recording_url, s.recording_url),
    stream = coalesce(excluded.stream, s.stream),
    final_status = coalesce(excluded.final_status, s.final_status),
    duration = coalesce(excluded.duration, s.duration),
    legs = coalesce(excluded.legs, s.legs),
    ended_at = coalesce(excluded.ended_at, s.ended_at),
    updated_at = now()
  returning call_sid
)
insert into call_events (write_id, call_sid, at, kind, detail)
select x.write_id, x.call_sid, x.at, x.kind, x.detail
from rows from (jsonb_to_recordset($3::text::jsonb) as (write_id text, call_sid text, at timestamptz, kind text,
  detail jsonb)) with ordinality as x(write_id, call_sid, at, kind, detail, n)
order by x.n
on conflict (write_id) do nothing`;

export function batchParams(batch: FoldedBatch): string[] {
  return [JSON.stringify(batch.customers), JSON.stringify(batch.calls), JSON.stringify(batch.events)];
}
