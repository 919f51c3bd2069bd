/**
 * The HistoryStore contract: PGlite and PostgreSQL must pass the same tests. One fixture (one database / schema)
 * per suite, because PGlite takes a second to start; every test uses its own CallSids and customer ids.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Outcome } from '../../src/domain/call.ts';
import type { Customer } from '../../src/domain/customer.ts';
import { AppError } from '../../src/errors.ts';
import type { CallStart, CallUpdate, HistoryStore } from '../../src/stores/ports.ts';
import { pollUntil } from '../support/services.ts';

export type HistoryFixture = {
  /** The current store (reopen() replaces it). */
  readonly store: HistoryStore;
  /** Close the store and open the same database again (same schema / same directory), running migrations again. */
  reopen?: () => Promise<HistoryStore>;
  dispose(): Promise<void>;
};

const id = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

export function callStart(callSid: string, overrides: Partial<CallStart> = {}): CallStart {
  return {
    callSid,
    status: 'in-progress',
    direction: 'outbound-api',
    language: 'hi',
    exotelParams: { CallSid: callSid, From: '09812345678', To: '08047112233' },
    event: { kind: 'passthru', detail: { attempt: 1 } },
    ...overrides,
  };
}

export function callUpdate(callSid: string, overrides: Partial<CallUpdate> = {}): CallUpdate {
  return { callSid, event: { kind: 'gather', detail: { digits: '1' } }, ...overrides };
}

function customer(customerId: string, fields: Omit<Customer, 'customer_id'> = {}): Customer {
  return { customer_id: customerId, ...fields };
}

export type HistoryContractOptions = {
  /** The fixture can reopen the same database (PostgreSQL schema, PGlite directory): registers the durability test. */
  reopens?: boolean;
};

export function historyStoreContract(name: string, factory: () => Promise<HistoryFixture>, options: HistoryContractOptions = {}): void {
  describe(`HistoryStore contract: ${name}`, () => {
    let fixture: HistoryFixture;
    before(async () => {
      fixture = await factory();
    });
    after(() => fixture?.dispose());
    const store = () => fixture.store;

    it('records a call start then an update: one row, two events, the customer upserted', async () => {
      const sid = id('CA');
      const cid = id('C');
      await store().recordCallStart(callStart(sid, { customer: customer(cid, { customer_name: 'Asha', amount: 15000.5 }) }));
      await store().recordCallUpdate(callUpdate(sid, { status: 'completed', digits: '1', outcome: 'agent_transfer', agentNumber: '+919812345678', ended: true }));
      const row = await store().getCall(sid);
      assert.ok(row);
      assert.equal(row.call_sid, sid);
      assert.equal(row.customer_id, cid);
      assert.equal(row.status, 'completed');
      assert.equal(row.direction, 'outbound-api');
      assert.equal(row.language, 'hi');
      assert.equal(row.digits, '1');
      assert.equal(row.outcome, 'agent_transfer');
      assert.equal(row.agent_number, '+919812345678');
      assert.deepEqual(row.exotel_params, { CallSid: sid, From: '09812345678', To: '08047112233' });
      for (const ts of [row.started_at, row.updated_at, row.ended_at ?? '']) assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(row.ended_at !== null && row.ended_at >= row.started_at);
      assert.deepEqual(
        (await store().listEvents(sid)).map((e) => [e.call_sid, e.kind, e.detail]),
        [
          [sid, 'passthru', { attempt: 1 }],
          [sid, 'gather', { digits: '1' }],
        ],
      );
      assert.equal((await store().getCustomer(cid))?.name, 'Asha');
    });

    it('a repeated start for the same CallSid keeps started_at and updates status, language and params', async () => {
      const sid = id('CA');
      await store().recordCallStart(callStart(sid));
      const first = await store().getCall(sid);
      await store().recordCallStart(callStart(sid, { status: 'ringing', language: 'ta', exotelParams: { CallSid: sid, Leg: '2' }, direction: undefined }));
      const second = await store().getCall(sid);
      assert.ok(first && second);
      assert.equal(second.started_at, first.started_at);
      assert.equal(second.status, 'ringing');
      assert.equal(second.language, 'ta');
      assert.equal(second.direction, 'outbound-api', 'a missing direction does not erase the known one');
      assert.deepEqual(second.exotel_params, { CallSid: sid, Leg: '2' });
      assert.equal((await store().listEvents(sid)).length, 2);
      assert.equal((await store().listCalls({ limit: 1000 })).filter((c) => c.call_sid === sid).length, 1);
    });

    it('upserts customers without erasing known values, and keeps amounts, dates and scripts exact', async () => {
      const cid = id('C');
      const name = 'प्रिया "पिंकी" O\'Brien — தமிழ்செல்வி';
      const full = customer(cid, { customer_name: name, phone: '+919800000001', loan_id: 'LN-1', amount: 15000.5, due_date: '2024-02-29', state: 'Tamil Nadu', language_code: 'ta' });
      await store().recordCallStart(callStart(id('CA'), { customer: full }));
      const before = await store().getCustomer(cid);
      assert.deepEqual(before && { ...before, updated_at: 'x' }, {
        customer_id: cid,
        name,
        phone: '+919800000001',
        loan_id: 'LN-1',
        amount: '15000.50',
        due_date: '2024-02-29',
        state: 'Tamil Nadu',
        language_code: 'ta',
        updated_at: 'x',
      });
      const sid = id('CA');
      await store().recordCallStart(callStart(sid, { customer: customer(cid, { phone: '+919800000002', amount: 123456789012.34 }) }));
      const after = await store().getCustomer(cid);
      assert.equal(after?.name, name);
      assert.equal(after?.phone, '+919800000002');
      assert.equal(after?.loan_id, 'LN-1');
      assert.equal(after?.amount, '123456789012.34');
      assert.equal(after?.due_date, '2024-02-29');
      assert.equal(after?.language_code, 'ta');
      assert.equal((await store().getCall(sid))?.customer_id, cid);
      for (const [amount, text] of [[0.1, '0.10'], [99999.99, '99999.99'], [1, '1.00']] as const) {
        const other = id('C');
        await store().recordCallStart(callStart(id('CA'), { customer: customer(other, { amount, due_date: '2025-12-31' }) }));
        const row = await store().getCustomer(other);
        assert.equal(row?.amount, text);
        assert.equal(row?.due_date, '2025-12-31');
      }
    });

    it('a start without a customer keeps the call row linked to the customer it already had', async () => {
      const sid = id('CA');
      const cid = id('C');
      await store().recordCallStart(callStart(sid, { customer: customer(cid) }));
      await store().recordCallStart(callStart(sid, { status: 'again' }));
      assert.equal((await store().getCall(sid))?.customer_id, cid);
    });

    it('an update for a call never started here creates a bare row (status given, else "unknown") and an event', async () => {
      const bare = id('CA');
      await store().recordCallUpdate(callUpdate(bare, { event: { kind: 'status', detail: { Status: 'completed' } } }));
      const row = await store().getCall(bare);
      assert.equal(row?.status, 'unknown');
      assert.equal(row?.customer_id, null);
      assert.equal(row?.ended_at, null);
      assert.deepEqual(row?.exotel_params, {});
      assert.deepEqual((await store().listEvents(bare)).map((e) => e.detail), [{ Status: 'completed' }]);
      const withStatus = id('CA');
      await store().recordCallUpdate(callUpdate(withStatus, { status: 'no-answer', outcome: 'no_input', ended: true }));
      const second = await store().getCall(withStatus);
      assert.equal(second?.status, 'no-answer');
      assert.equal(second?.outcome, 'no_input');
      assert.notEqual(second?.ended_at, null);
    });

    it('an update sets only the fields it carries', async () => {
      const sid = id('CA');
      await store().recordCallStart(callStart(sid));
      await store().recordCallUpdate(callUpdate(sid, { digits: '2', outcome: 'declined' }));
      await store().recordCallUpdate(callUpdate(sid, { status: 'completed', event: { kind: 'status', detail: {} } }));
      const row = await store().getCall(sid);
      assert.equal(row?.status, 'completed');
      assert.equal(row?.digits, '2');
      assert.equal(row?.outcome, 'declined');
      assert.equal(row?.language, 'hi');
      assert.equal(row?.ended_at, null);
    });

    it('the end of a call (dial status, duration, recording, stream) is stored, folded and never erased by a later gap', async () => {
      const sid = id('CA');
      const recording = 'https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/acme/x.mp3';
      await store().recordCallStart(callStart(sid));
      await store().recordCallUpdate(callUpdate(sid, { outcome: 'agent_transfer', status: 'transferring' }));
      const fresh = await store().getCall(sid);
      assert.deepEqual([fresh?.dial_call_status, fresh?.dial_call_duration, fresh?.recording_url, fresh?.stream], [null, null, null, null]);
      await store().recordBatch([
        { id: id('w'), at: new Date().toISOString(), kind: 'update', update: callUpdate(sid, { status: 'ended', ended: true, end: { dialCallStatus: 'busy' }, event: { kind: 'passthru-end', detail: {} } }) },
        { id: id('w'), at: new Date().toISOString(), kind: 'update', update: callUpdate(sid, { end: { dialCallStatus: 'completed', dialCallDuration: 21, recordingUrl: recording, stream: { StreamSID: 's1', Status: 'completed' } }, event: { kind: 'passthru-end', detail: {} } }) },
      ]);
      await store().recordCallUpdate(callUpdate(sid, { end: {}, event: { kind: 'status', detail: {} } }));
      const row = await store().getCall(sid);
      assert.equal(row?.dial_call_status, 'completed');
      assert.equal(row?.dial_call_duration, 21);
      assert.equal(row?.recording_url, recording);
      assert.deepEqual(row?.stream, { StreamSID: 's1', Status: 'completed' });
      assert.equal(row?.outcome, 'agent_transfer');
      assert.equal(row?.status, 'ended');
      assert.notEqual(row?.ended_at, null);
    });

    it('rejects an outcome outside the check constraint, and writes nothing', async () => {
      const sid = id('CA');
      await store().recordCallStart(callStart(sid));
      const garbage: string = 'hung_up_angrily';
      await assert.rejects(
        store().recordCallUpdate(callUpdate(sid, { outcome: garbage as Outcome, digits: '9' })),
        (error: unknown) => error instanceof AppError && /check constraint/i.test(error.message) && error.message.includes(sid),
      );
      assert.equal((await store().getCall(sid))?.digits, null);
      assert.equal((await store().listEvents(sid)).length, 1, 'the event of a failed write is not kept');
    });

    it('a start that fails half-way (an impossible due date) leaves no customer, call or event behind', async () => {
      const sid = id('CA');
      const cid = id('C');
      await assert.rejects(store().recordCallStart(callStart(sid, { customer: customer(cid, { due_date: '2025-02-30' }) })), AppError);
      assert.equal(await store().getCall(sid), undefined);
      assert.equal(await store().getCustomer(cid), undefined);
      assert.deepEqual(await store().listEvents(sid), []);
    });

    it('lists events in insertion order with increasing ids', async () => {
      const sid = id('CA');
      await store().recordCallStart(callStart(sid));
      for (const kind of ['gather', 'reprompt', 'gather', 'transfer', 'status']) {
        await store().recordCallUpdate(callUpdate(sid, { event: { kind, detail: { kind, nested: { list: [1, 'दो'] } } } }));
      }
      const events = await store().listEvents(sid);
      assert.deepEqual(events.map((e) => e.kind), ['passthru', 'gather', 'reprompt', 'gather', 'transfer', 'status']);
      assert.deepEqual(events[2]?.detail, { kind: 'reprompt', nested: { list: [1, 'दो'] } });
      events.forEach((e, i) => {
        assert.equal(typeof e.id, 'number');
        if (i > 0) {
          assert.ok(e.id > (events[i - 1]?.id ?? Infinity));
          assert.ok(e.at >= (events[i - 1]?.at ?? ''));
        }
      });
    });

    it('lists calls newest first, filtered by customerId, outcome and since, with a limit', async () => {
      const cid = id('C');
      const sids = [id('CA'), id('CA'), id('CA')];
      const [a, b, c] = sids as [string, string, string];
      await store().recordCallStart(callStart(a, { customer: customer(cid) }));
      await store().recordCallUpdate(callUpdate(a, { outcome: 'declined' }));
      await store().recordCallStart(callStart(id('CA'), { customer: customer(id('C')) }));
      await store().recordCallStart(callStart(b, { customer: customer(cid) }));
      const bRow = await store().getCall(b);
      assert.ok(bRow);
      // `since` has millisecond precision: make sure c starts in a later millisecond than b.
      await pollUntil(async () => Date.now() > Date.parse(bRow.started_at) + 1, { timeoutMs: 1000, intervalMs: 1, message: 'clock did not move' });
      await store().recordCallStart(callStart(c, { customer: customer(cid) }));
      await store().recordCallUpdate(callUpdate(c, { outcome: 'agent_transfer' }));
      const cRow = await store().getCall(c);
      assert.ok(cRow);

      const sidsOf = (rows: { call_sid: string }[]) => rows.map((r) => r.call_sid);
      assert.deepEqual(sidsOf(await store().listCalls({ customerId: cid })), [c, b, a]);
      assert.deepEqual(sidsOf(await store().listCalls({ customerId: cid, limit: 2 })), [c, b]);
      assert.deepEqual(sidsOf(await store().listCalls({ customerId: cid, outcome: 'declined' })), [a]);
      assert.deepEqual(sidsOf(await store().listCalls({ customerId: cid, since: new Date(cRow.started_at) })), [c]);
      assert.deepEqual(sidsOf(await store().listCalls({ customerId: cid, since: new Date(Date.now() + 3_600_000) })), []);
      assert.deepEqual(sidsOf(await store().listCalls({ limit: 1 })), [c], 'newest overall');
      assert.deepEqual(await store().listCalls({ customerId: cid, limit: 0 }), []);
      const declined = await store().listCalls({ outcome: 'declined', limit: 1000 });
      assert.ok(declined.length >= 1 && declined.every((r) => r.outcome === 'declined'));
    });

    it('lists at most 50 calls by default', async () => {
      const cid = id('C');
      for (let i = 0; i < 52; i++) await store().recordCallStart(callStart(id('CA'), { customer: customer(cid) }));
      assert.equal((await store().listCalls({ customerId: cid })).length, 50);
      assert.equal((await store().listCalls({ customerId: cid, limit: 5000 })).length, 52);
    });

    it('answers undefined / [] for what it never saw, and answers ping', async () => {
      assert.equal(await store().getCall('CA-never'), undefined);
      assert.equal(await store().getCustomer('C-never'), undefined);
      assert.deepEqual(await store().listEvents('CA-never'), []);
      await store().ping();
    });

    it('recordBatch: many calls in one statement, folded in order, events in submission order', async () => {
      const [a, b] = [id('CA'), id('CA')];
      const cid = id('C');
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();
      await store().recordBatch([
        { id: id('w'), at: at(0), kind: 'start', start: callStart(a, { customer: customer(cid, { customer_name: 'Asha', amount: 10 }) }) },
        { id: id('w'), at: at(1), kind: 'start', start: callStart(b, { status: 'greeted' }) },
        { id: id('w'), at: at(2), kind: 'update', update: callUpdate(a, { status: 'transferring', digits: '1', outcome: 'agent_transfer' }) },
        { id: id('w'), at: at(3), kind: 'start', start: callStart(a, { customer: customer(cid, { amount: 20 }), status: 'greeted' }) },
        { id: id('w'), at: at(4), kind: 'update', update: callUpdate(b, { outcome: 'declined', ended: true }) },
      ]);
      const rowA = await store().getCall(a);
      assert.equal(rowA?.status, 'greeted', 'the last status of the batch wins');
      assert.equal(rowA?.digits, '1');
      assert.equal(rowA?.outcome, 'agent_transfer');
      assert.equal(rowA?.customer_id, cid);
      assert.equal(rowA?.started_at, at(0), 'started_at is when the first start was accepted');
      const rowB = await store().getCall(b);
      assert.equal(rowB?.status, 'greeted', 'an update without a status keeps the stored one');
      assert.equal(rowB?.ended_at, at(4));
      const cust = await store().getCustomer(cid);
      assert.equal(cust?.name, 'Asha');
      assert.equal(cust?.amount, '20.00');
      assert.deepEqual((await store().listEvents(a)).map((e) => [e.kind, e.at]), [['passthru', at(0)], ['gather', at(2)], ['passthru', at(3)]]);
    });

    it('recordBatch: replaying a committed batch appends no event twice', async () => {
      const sid = id('CA');
      const writes = [
        { id: id('w'), at: new Date().toISOString(), kind: 'start' as const, start: callStart(sid) },
        { id: id('w'), at: new Date().toISOString(), kind: 'update' as const, update: callUpdate(sid, { digits: '2', outcome: 'declined' as const }) },
      ];
      await store().recordBatch(writes);
      await store().recordBatch(writes);
      assert.equal((await store().listEvents(sid)).length, 2);
      assert.equal((await store().getCall(sid))?.outcome, 'declined');
    });

    it('recordBatch: NUL and lone surrogates anywhere are made storable instead of failing the write', async () => {
      const sid = id('CA');
      const cid = id('C');
      await store().recordBatch([
        {
          id: id('w'),
          at: new Date().toISOString(),
          kind: 'start',
          start: callStart(sid, {
            customer: customer(cid, { customer_name: 'a\u0000b\ud800c' }),
            exotelParams: { CustomField: '{"x":"\u0000"}', 'k\u0000ey': 'v\udfff' },
            event: { kind: 'passthru', detail: { note: 'x\u0000y' } },
          }),
        },
      ]);
      assert.equal((await store().getCustomer(cid))?.name, 'ab\ufffdc');
      assert.deepEqual((await store().getCall(sid))?.exotel_params, { CustomField: '{"x":""}', key: 'v\ufffd' });
      assert.deepEqual((await store().listEvents(sid))[0]?.detail, { note: 'xy' });
    });

    it('recordBatch: a write the database refuses fails the whole batch (the caller isolates it)', async () => {
      const [good, bad] = [id('CA'), id('CA')];
      await assert.rejects(
        store().recordBatch([
          { id: id('w'), at: new Date().toISOString(), kind: 'start', start: callStart(good) },
          { id: id('w'), at: new Date().toISOString(), kind: 'start', start: callStart(bad, { customer: customer(id('C'), { amount: 1e15 }) }) },
        ]),
        AppError,
      );
      assert.equal(await store().getCall(good), undefined, 'atomic: nothing of the batch is kept');
    });

    if (options.reopens) {
      it('reopening the same database keeps every row, and running the migrations again changes nothing', async () => {
        const sid = id('CA');
        const cid = id('C');
        await store().recordCallStart(callStart(sid, { customer: customer(cid, { customer_name: 'ரமேஷ்', amount: 15000.5, due_date: '2024-02-29' }) }));
        await store().recordCallUpdate(callUpdate(sid, { outcome: 'agent_transfer', ended: true }));
        const call = await store().getCall(sid);
        const customerRow = await store().getCustomer(cid);
        const events = await store().listEvents(sid);
        assert.ok(fixture.reopen, 'a fixture registered with reopens must provide reopen()');
        await fixture.reopen();
        assert.deepEqual(await store().getCall(sid), call);
        assert.deepEqual(await store().getCustomer(cid), customerRow);
        assert.deepEqual(await store().listEvents(sid), events);
        await store().recordCallUpdate(callUpdate(sid, { status: 'completed', event: { kind: 'status', detail: {} } }));
        assert.equal((await store().listEvents(sid)).length, 3);
      });
    }
  });
}
