import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPgliteHistory } from '../../src/stores/pglite-history.ts';
import { UnreachableError } from '../../src/errors.ts';
import type { CallStart, CallUpdate, HistoryStore, HistoryWrite } from '../../src/stores/ports.ts';
import { openRedisSessionStore } from '../../src/stores/redis-sessions.ts';
import { find, parseResponse, verbs } from '../support/exoml.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('Redis dies mid-call (private redis-server)', () => {
  let redis: PrivateRedis;
  let server: TestServer;
  before(async () => {
    redis = await startPrivateRedis();
    server = await startTestServer({ sessions: await openRedisSessionStore({ url: redis.url, prefix: 'fault:' }) });
  });
  after(async () => {
    await server.close();
    await redis.stop();
  });

  it('health is 200 while Redis answers, 503 naming redis once it is gone, and calls still get valid ExoML', async () => {
    const ok = await fetch(`${server.url}/health`);
    assert.equal(ok.status, 200);
    const first = await fetch(`${server.url}/passthru-handler?CallSid=f1&customer_id=fc1&language_code=bn`);
    assert.equal(first.status, 200);

    await redis.stop();

    const down = await fetch(`${server.url}/health`);
    assert.equal(down.status, 503);
    const health = (await down.json()) as { failing: string[]; history: { ok: boolean } };
    assert.deepEqual(health.failing, ['redis']);
    assert.equal(health.history.ok, true);

    const res = await fetch(`${server.url}/passthru-handler?CallSid=f2&customer_id=fc2&customer_name=Rao+%26+Sons&language_code=bn`);
    assert.equal(res.status, 200);
    const root = parseResponse(await res.text());
    assert.equal(root.children[0]?.attrs.language, 'bn');
    const action = new URL(find(root, 'Gather')[0]?.attrs.action ?? '');
    const gather = await fetch(action, { method: 'POST', body: new URLSearchParams({ DigitsPressed: '1' }) });
    assert.equal(gather.status, 200);
    const transfer = parseResponse(await gather.text());
    assert.ok(verbs(transfer).includes('Dial'));
    assert.equal(transfer.children[0]?.attrs.language, 'bn', 'language carried in the action URL');
    assert.ok(server.logs.some((l) => l.includes('session write failed for f2')));
    const row = await server.history.getCall('f2');
    assert.equal(row?.outcome, 'agent_transfer', 'history still recorded');
  });
});

/** A real PGlite store behind a switch: the injected dependency fails while `down` is true. */
function switchable(inner: HistoryStore) {
  const state = { down: false };
  const guard = () => {
    if (state.down) throw new UnreachableError('pglite', 'connection terminated unexpectedly');
  };
  const store: HistoryStore = {
    kind: inner.kind,
    recordCallStart: async (start: CallStart) => {
      guard();
      return inner.recordCallStart(start);
    },
    recordCallUpdate: async (update: CallUpdate) => {
      guard();
      return inner.recordCallUpdate(update);
    },
    recordBatch: async (writes: readonly HistoryWrite[]) => {
      guard();
      return inner.recordBatch(writes);
    },
    getCall: (sid) => inner.getCall(sid),
    listCalls: (q) => inner.listCalls(q),
    getCustomer: (id) => inner.getCustomer(id),
    listEvents: (sid) => inner.listEvents(sid),
    ping: async () => {
      guard();
      return inner.ping();
    },
    close: () => inner.close(),
  };
  return { store, state };
}

describe('history store fails mid-call', () => {
  let server: TestServer;
  let state: { down: boolean };
  before(async () => {
    const s = switchable(await openPgliteHistory({ dataDir: 'memory' }));
    state = s.state;
    server = await startTestServer({ history: s.store });
  });
  after(async () => {
    await server.close();
  });

  it('answers valid ExoML, spools the writes, and replays them in order once the store is back', async () => {
    state.down = true;
    const res = await fetch(`${server.url}/passthru-handler?CallSid=h1&customer_id=hc1&customer_name=Ira`);
    assert.equal(res.status, 200);
    parseResponse(await res.text());
    const gather = await fetch(`${server.url}/gather-response?CallSid=h1&Digits=3`);
    assert.equal(gather.status, 200);
    assert.equal(server.writer.stats().spooled, 2);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { writes: { spooled: number } }).writes.spooled, 2);
    assert.ok(server.logs.some((l) => l.includes('the database is unreachable, spooling writes')));

    state.down = false;
    await server.writer.settle();
    assert.equal(server.writer.stats().spooled, 0);
    assert.equal(server.writer.stats().mode, 'direct');
    const row = await server.history.getCall('h1');
    assert.equal(row?.outcome, 'declined');
    assert.equal(row?.digits, '3');
    assert.equal((await server.history.getCustomer('hc1'))?.name, 'Ira');
    assert.deepEqual((await server.history.listEvents('h1')).map((e) => e.kind), ['passthru', 'gather']);
  });
});
