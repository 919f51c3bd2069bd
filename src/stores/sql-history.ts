/**
 * The one HistoryStore implementation, over the SqlPort (pg or PGlite). Migrations are applied by the adapters
 * at open; this file only reads and writes.
 *
 * The two writes sit on the path of every call, so each is ONE statement: data-modifying CTEs upsert the
 * customer, upsert the call row and append the event. A single statement is atomic on its own and costs one
 * round trip. Foreign keys are checked at the end of the statement, after the customer CTE has run.
 */
import { AppError } from '../errors.ts';
import { randomUUID } from 'node:crypto';
import { batchParams, foldBatch, RECORD_BATCH } from './history-batch.ts';
import type { CallEventRow, CallQuery, CallRow, CallStart, CallUpdate, CustomerRow, HistoryStore, HistoryWrite } from './ports.ts';
import { causeMessage } from './redact.ts';
import type { SqlPort } from './sql-port.ts';
import { toCallRow, toCustomerRow, toEventRow, type RawRow } from './sql-rows.ts';

const DEFAULT_CALL_LIMIT = 50;
const MAX_CALL_LIMIT = 1000;

const CALL_COLUMNS = `call_sid, customer_id, status, direction, started_at, ended_at, language, digits, outcome,
  agent_number, exotel_params, dial_call_status, dial_call_duration, recording_url, stream, updated_at`;

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

const sidOf = (write: HistoryWrite) => (write.kind === 'start' ? write.start.callSid : write.update.callSid);

/** What a failed write names: the call, or the first calls of a batch. */
function describeWrites(writes: readonly HistoryWrite[]): string {
  const [first] = writes;
  if (first === undefined) return 'record nothing';
  if (writes.length === 1) return `record call ${first.kind} ${sidOf(first)}`;
  return `record ${writes.length} writes (${writes.slice(0, 3).map(sidOf).join(', ')}${writes.length > 3 ? ', …' : ''})`;
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
  const recordBatch = (writes: readonly HistoryWrite[]) =>
    run(describeWrites(writes), async () => {
      if (writes.length > 0) await db.query(RECORD_BATCH, batchParams(foldBatch(writes)));
    });

  return {
    kind,
    recordCallStart: (start: CallStart) => recordBatch([{ id: randomUUID(), at: new Date().toISOString(), kind: 'start', start }]),
    recordCallUpdate: (update: CallUpdate) => recordBatch([{ id: randomUUID(), at: new Date().toISOString(), kind: 'update', update }]),
    recordBatch,
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
