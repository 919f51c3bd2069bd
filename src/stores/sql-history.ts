/**
 * The one HistoryStore implementation, over the SqlPort (pg or PGlite). Migrations are applied by the adapters
 * at open; this file only reads and writes.
 *
 * The two writes sit on the path of every call, so each is ONE statement: data-modifying CTEs upsert the
 * customer, upsert the call row and append the event. A single statement is atomic on its own and costs one
 * round trip. Foreign keys are checked at the end of the statement, after the customer CTE has run.
 */
import { AppError } from '../errors.ts';
import type { CallEventRow, CallQuery, CallRow, CallStart, CallUpdate, CustomerRow, HistoryStore } from './ports.ts';
import { causeMessage } from './redact.ts';
import type { SqlPort } from './sql-port.ts';
import { toCallRow, toCustomerRow, toEventRow, type RawRow } from './sql-rows.ts';

const DEFAULT_CALL_LIMIT = 50;
const MAX_CALL_LIMIT = 1000;

// Parameters are cast from text (`$n::text::jsonb`) so pg and PGlite serialise them identically.
const RECORD_START = `
with customer as (
  insert into customers as c (customer_id, name, phone, loan_id, amount, due_date, state, language_code)
  select $1::text, $2::text, $3::text, $4::text, $5::text::numeric, $6::text::date, $7::text, $8::text
  where $1::text is not null
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
  insert into calls as s (call_sid, customer_id, status, direction, language, exotel_params)
  values ($9::text, (select customer_id from customer), $10::text, $11::text, $12::text, $13::text::jsonb)
  on conflict (call_sid) do update set
    customer_id = coalesce(excluded.customer_id, s.customer_id),
    status = excluded.status,
    direction = coalesce(excluded.direction, s.direction),
    language = excluded.language,
    exotel_params = excluded.exotel_params,
    updated_at = now()
  returning call_sid
)
insert into call_events (call_sid, kind, detail) select call_sid, $14::text, $15::text::jsonb from call`;

const RECORD_UPDATE = `
with call as (
  insert into calls as s (call_sid, status, digits, outcome, agent_number, ended_at)
  values ($1::text, coalesce($2::text, 'unknown'), $3::text, $4::text, $5::text, case when $6::boolean then now() end)
  on conflict (call_sid) do update set
    status = coalesce($2::text, s.status),
    digits = coalesce(excluded.digits, s.digits),
    outcome = coalesce(excluded.outcome, s.outcome),
    agent_number = coalesce(excluded.agent_number, s.agent_number),
    ended_at = case when $6::boolean then now() else s.ended_at end,
    updated_at = now()
  returning call_sid
)
insert into call_events (call_sid, kind, detail) select call_sid, $7::text, $8::text::jsonb from call`;

const CALL_COLUMNS = `call_sid, customer_id, status, direction, started_at, ended_at, language, digits, outcome,
  agent_number, exotel_params, updated_at`;

const LIST_CALLS = `
select ${CALL_COLUMNS} from calls
where ($1::text is null or customer_id = $1::text)
  and ($2::text is null or outcome = $2::text)
  and ($3::text is null or started_at >= $3::text::timestamptz)
order by started_at desc, id desc
limit $4::int`;

// numeric and date go out as text: pg would parse a date into a local-time JS Date and shift it a day.
const GET_CUSTOMER = `
select customer_id, name, phone, loan_id, amount::text as amount, due_date::text as due_date, state, language_code, updated_at
from customers where customer_id = $1::text`;

export function callLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_CALL_LIMIT;
  return Math.min(MAX_CALL_LIMIT, Math.max(0, Math.floor(limit)));
}

function since(date: Date | undefined): string | null {
  if (date === undefined) return null;
  if (Number.isNaN(date.getTime())) throw new AppError('listCalls: `since` is not a valid date', { code: 'E_HISTORY', component: 'history' });
  return date.toISOString();
}

export function createSqlHistoryStore(db: SqlPort, kind: HistoryStore['kind']): HistoryStore {
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      // Adapters already turn "cannot reach the database" into UnreachableError; keep those as they are.
      if (error instanceof AppError) throw error;
      throw new AppError(`${what} failed: ${causeMessage(error)}`, { code: 'E_HISTORY', component: kind, cause: error });
    }
  };
  const rows = async (text: string, params: unknown[]) => (await db.query<RawRow>(text, params)).rows;

  return {
    kind,
    recordCallStart: (start: CallStart) =>
      run(`record call start ${start.callSid}`, async () => {
        const c = start.customer;
        await db.query(RECORD_START, [
          c?.customer_id ?? null,
          c?.customer_name ?? null,
          c?.phone ?? null,
          c?.loan_id ?? null,
          c?.amount === undefined ? null : String(c.amount),
          c?.due_date ?? null,
          c?.state ?? null,
          c?.language_code ?? null,
          start.callSid,
          start.status,
          start.direction ?? null,
          start.language,
          JSON.stringify(start.exotelParams),
          start.event.kind,
          JSON.stringify(start.event.detail),
        ]);
      }),
    recordCallUpdate: (update: CallUpdate) =>
      run(`record call update ${update.callSid}`, async () => {
        await db.query(RECORD_UPDATE, [
          update.callSid,
          update.status ?? null,
          update.digits ?? null,
          update.outcome ?? null,
          update.agentNumber ?? null,
          update.ended === true,
          update.event.kind,
          JSON.stringify(update.event.detail),
        ]);
      }),
    getCall: (callSid: string): Promise<CallRow | undefined> =>
      run(`read call ${callSid}`, async () => {
        const [row] = await rows(`select ${CALL_COLUMNS} from calls where call_sid = $1::text`, [callSid]);
        return row === undefined ? undefined : toCallRow(row);
      }),
    listCalls: (query: CallQuery = {}): Promise<CallRow[]> =>
      run('list calls', async () => {
        const params = [query.customerId ?? null, query.outcome ?? null, since(query.since), callLimit(query.limit)];
        return (await rows(LIST_CALLS, params)).map(toCallRow);
      }),
    getCustomer: (customerId: string): Promise<CustomerRow | undefined> =>
      run(`read customer ${customerId}`, async () => {
        const [row] = await rows(GET_CUSTOMER, [customerId]);
        return row === undefined ? undefined : toCustomerRow(row);
      }),
    listEvents: (callSid: string): Promise<CallEventRow[]> =>
      run(`list events ${callSid}`, async () => {
        const sql = 'select id, call_sid, at, kind, detail from call_events where call_sid = $1::text order by id';
        return (await rows(sql, [callSid])).map(toEventRow);
      }),
    ping: () =>
      run('ping', async () => {
        await db.query('select 1');
      }),
    close: () => run('close', () => db.close()),
  };
}
