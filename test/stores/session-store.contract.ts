/**
 * The SessionStore contract: every backend (memory, Redis) must pass the same tests. Each test gets a fresh
 * fixture (its own store, its own key prefix) and disposes of it, so tests never see each other's sessions.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { CallSession } from '../../src/domain/call.ts';
import { AppError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/stores/ports.ts';
import { pollUntil } from '../support/services.ts';

export type SessionFixture = {
  store: SessionStore;
  /** Let `seconds` pass for the store: advances an injected clock; a real backend lets real time pass instead. */
  advance(seconds: number): void;
  /** Another store on the same backend whose namespace is nested inside this one's (Redis: `<prefix>nested:`). */
  openNeighbour(): Promise<SessionStore>;
  /** Write raw text where a session would live, for backends another process could write garbage into. */
  putRaw?: (callSid: string, text: string) => Promise<void>;
  dispose(): Promise<void>;
};

export function sampleSession(callSid: string, overrides: Partial<CallSession> = {}): CallSession {
  return {
    callSid,
    language: 'hi',
    state: 'greeted',
    attempts: 1,
    createdAt: '2025-01-15T10:00:00.000Z',
    updatedAt: '2025-01-15T10:00:00.000Z',
    ...overrides,
  };
}

async function fixtureFor(t: TestContext, factory: () => Promise<SessionFixture>): Promise<SessionFixture> {
  const fixture = await factory();
  t.after(() => fixture.dispose());
  return fixture;
}

export type SessionContractOptions = {
  /** The backend can hold values another process wrote (Redis): registers the corrupted-JSON test. */
  foreignWrites?: boolean;
};

export function sessionStoreContract(
  name: string,
  factory: () => Promise<SessionFixture>,
  options: SessionContractOptions = {},
): void {
  describe(`SessionStore contract: ${name}`, () => {
    it('round-trips a session with Devanagari and Tamil names, quotes and every optional field', async (t) => {
      const { store } = await fixtureFor(t, factory);
      const hindi = sampleSession('CA-hi-1', {
        customer: {
          customer_id: 'C-001',
          customer_name: 'प्रिया "पिंकी" शर्मा',
          amount: 15000.5,
          due_date: '2025-03-31',
          state: 'Uttar Pradesh',
          language_code: 'hi',
        },
        digits: '1',
        digitSource: 'DigitsPressed',
        outcome: 'agent_transfer',
        from: '09812345678',
        to: '08047112233',
        state: 'transferring',
        attempts: 2,
      });
      const tamil = sampleSession('CA-ta-1', {
        language: 'ta',
        customer: { customer_id: 'C-002', customer_name: "தமிழ்செல்வி O'Neil \\ `x`" },
      });
      await store.put(hindi, 300);
      await store.put(tamil, 300);
      assert.deepEqual(await store.get('CA-hi-1'), hindi);
      assert.deepEqual(await store.get('CA-ta-1'), tamil);
    });

    it('answers undefined / false for a CallSid it never saw', async (t) => {
      const { store } = await fixtureFor(t, factory);
      assert.equal(await store.get('CA-missing'), undefined);
      assert.equal(await store.ttl('CA-missing'), undefined);
      assert.equal(await store.delete('CA-missing'), false);
      assert.deepEqual(await store.list({ callSid: 'CA-missing' }), []);
    });

    it('reports the TTL it was given, and put() replaces the value and resets the TTL', async (t) => {
      const { store } = await fixtureFor(t, factory);
      await store.put(sampleSession('CA-ttl'), 60);
      const first = await store.ttl('CA-ttl');
      assert.ok(first !== undefined && first >= 59 && first <= 60, `ttl ${first}`);
      await store.put(sampleSession('CA-ttl', { state: 'reprompted', attempts: 2 }), 7200);
      const second = await store.ttl('CA-ttl');
      assert.ok(second !== undefined && second >= 7199 && second <= 7200, `ttl ${second}`);
      assert.equal((await store.get('CA-ttl'))?.state, 'reprompted');
      const [entry] = await store.list({ callSid: 'CA-ttl' });
      assert.ok(entry?.ttlSeconds !== undefined && entry.ttlSeconds >= 7199 && entry.ttlSeconds <= 7200);
    });

    it('rejects a TTL that is not a whole number of seconds ≥ 1', async (t) => {
      const { store } = await fixtureFor(t, factory);
      for (const ttl of [0, -5, 1.5, Number.NaN]) {
        await assert.rejects(
          store.put(sampleSession('CA-badttl'), ttl),
          (error: unknown) => error instanceof AppError && /TTL/.test(error.message),
        );
      }
      assert.equal(await store.get('CA-badttl'), undefined);
    });

    it('hides an expired session from get, ttl and list, and keeps the others', async (t) => {
      const fixture = await fixtureFor(t, factory);
      const { store } = fixture;
      await store.put(sampleSession('CA-short'), 1);
      await store.put(sampleSession('CA-long'), 3600);
      assert.ok(await store.get('CA-short'));
      fixture.advance(2);
      await pollUntil(async () => (await store.get('CA-short')) === undefined, {
        timeoutMs: 5000,
        message: 'CA-short never expired',
      });
      assert.equal(await store.ttl('CA-short'), undefined);
      assert.deepEqual(
        (await store.list()).map((e) => e.session.callSid),
        ['CA-long'],
      );
      assert.equal(await store.delete('CA-short'), false);
      assert.ok(await store.get('CA-long'));
    });

    it('deletes, and says whether there was something to delete', async (t) => {
      const { store } = await fixtureFor(t, factory);
      await store.put(sampleSession('CA-del'), 60);
      assert.equal(await store.delete('CA-del'), true);
      assert.equal(await store.get('CA-del'), undefined);
      assert.equal(await store.ttl('CA-del'), undefined);
      assert.equal(await store.delete('CA-del'), false);
    });

    it('lists newest updatedAt first, filters by callSid and customerId, and applies the limit', async (t) => {
      const { store } = await fixtureFor(t, factory);
      const at = (minute: number) => `2025-01-15T10:${String(minute).padStart(2, '0')}:00.000Z`;
      await store.put(sampleSession('CA-b', { updatedAt: at(2), customer: { customer_id: 'C-1' } }), 60);
      await store.put(sampleSession('CA-d', { updatedAt: at(4), customer: { customer_id: 'C-2' } }), 60);
      await store.put(sampleSession('CA-a', { updatedAt: at(1), customer: { customer_id: 'C-1' } }), 60);
      await store.put(sampleSession('CA-c', { updatedAt: at(3) }), 60);
      const sids = (entries: Awaited<ReturnType<SessionStore['list']>>) => entries.map((e) => e.session.callSid);
      assert.deepEqual(sids(await store.list()), ['CA-d', 'CA-c', 'CA-b', 'CA-a']);
      assert.deepEqual(sids(await store.list({ customerId: 'C-1' })), ['CA-b', 'CA-a']);
      assert.deepEqual(sids(await store.list({ callSid: 'CA-c' })), ['CA-c']);
      assert.deepEqual(sids(await store.list({ callSid: 'CA-c', customerId: 'C-1' })), []);
      assert.deepEqual(sids(await store.list({ limit: 2 })), ['CA-d', 'CA-c']);
      assert.deepEqual(sids(await store.list({ limit: 0 })), []);
      for (const entry of await store.list())
        assert.ok(entry.ttlSeconds !== undefined && entry.ttlSeconds > 0 && entry.ttlSeconds <= 60);
    });

    it('lists at most 50 sessions by default', async (t) => {
      const { store } = await fixtureFor(t, factory);
      await Promise.all(Array.from({ length: 55 }, (_, i) => store.put(sampleSession(`CA-many-${i}`), 60)));
      assert.equal((await store.list()).length, 50);
      assert.equal((await store.list({ limit: 100 })).length, 55);
    });

    it("never returns another namespace's sessions, even one nested under its own", async (t) => {
      const fixture = await fixtureFor(t, factory);
      const neighbour = await fixture.openNeighbour();
      t.after(() => neighbour.close());
      await fixture.store.put(sampleSession('CA-mine'), 60);
      await neighbour.put(sampleSession('CA-theirs'), 60);
      assert.deepEqual(
        (await fixture.store.list()).map((e) => e.session.callSid),
        ['CA-mine'],
      );
      assert.deepEqual(
        (await neighbour.list()).map((e) => e.session.callSid),
        ['CA-theirs'],
      );
      assert.equal(await fixture.store.get('CA-theirs'), undefined);
      assert.equal(await fixture.store.get('nested:CA-theirs'), undefined);
      assert.equal(await neighbour.get('CA-mine'), undefined);
    });

    it('answers ping, and close() can be called twice', async (t) => {
      const { store } = await fixtureFor(t, factory);
      await store.ping();
      await store.close();
      await store.close();
    });
  });

  if (!options.foreignWrites) return;
  describe(`SessionStore contract: ${name}: values written by someone else`, () => {
    it('treats corrupted or foreign JSON under a key as absent in get and list', async (t) => {
      const { putRaw, store } = await fixtureFor(t, factory);
      assert.ok(putRaw, 'a backend with foreignWrites must provide putRaw');
      await store.put(sampleSession('CA-good'), 60);
      await putRaw('CA-bad-json', '{"callSid": "CA-bad-json", ');
      await putRaw('CA-array', '[1, 2, 3]');
      await putRaw('CA-other-sid', JSON.stringify(sampleSession('CA-someone-else')));
      await putRaw('CA-no-state', JSON.stringify({ callSid: 'CA-no-state', language: 'hi' }));
      for (const sid of ['CA-bad-json', 'CA-array', 'CA-other-sid', 'CA-no-state'])
        assert.equal(await store.get(sid), undefined, sid);
      assert.deepEqual(
        (await store.list()).map((e) => e.session.callSid),
        ['CA-good'],
      );
      assert.equal(await store.delete('CA-bad-json'), true, 'a corrupted value can still be deleted');
    });
  });
}
