/**
 * The write path: group commit, the spool while the database is away, poison writes isolated to the dead-letter
 * file. A recording sink stands in for the database where a test must make it fail on purpose; the poison tests
 * run on a real (embedded) PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, UnreachableError } from '../../src/errors.ts';
import { createHistoryWriter } from '../../src/stores/history-writer.ts';
import { openPgliteHistory } from '../../src/stores/pglite-history.ts';
import type { HistoryWrite } from '../../src/stores/ports.ts';
import { createMemorySpool } from '../../src/stores/spool.ts';
import { callStart, callUpdate } from './history-store.contract.ts';

const quiet = { info: () => {}, error: () => {} };

/** A sink that records each batch, and fails while `down` (unreachable) or for a poisoned CallSid (data error). */
function recordingSink() {
  const state = { down: false, poison: new Set<string>(), batches: [] as HistoryWrite[][] };
  const sidOf = (w: HistoryWrite) => (w.kind === 'start' ? w.start.callSid : w.update.callSid);
  return {
    state,
    committed: () => state.batches.flat().map(sidOf),
    sink: {
      recordBatch: async (writes: readonly HistoryWrite[]) => {
        if (state.down) throw new UnreachableError('postgres', 'connection terminated unexpectedly');
        if (writes.some((w) => state.poison.has(sidOf(w)))) throw new AppError('value out of range', { cause: Object.assign(new Error('numeric field overflow'), { code: '22003' }) });
        state.batches.push([...writes]);
      },
    },
  };
}

describe('history writer', () => {
  it('group-commits concurrent writes: 200 writes in a handful of statements, in submission order', async () => {
    const fake = recordingSink();
    const writer = createHistoryWriter({ sink: fake.sink, spool: createMemorySpool(), logger: quiet, batchMax: 64 });
    const sids = Array.from({ length: 200 }, (_, i) => `CA${i}`);
    const results = await Promise.all(sids.map((sid) => writer.recordCallStart(callStart(sid))));
    assert.ok(results.every((r) => r === 'committed'));
    assert.deepEqual(fake.committed(), sids);
    assert.ok(fake.state.batches.length <= 4, `${fake.state.batches.length} batches`);
    assert.equal(writer.stats().committed, 200);
    await writer.close();
  });

  it('a poison write goes to the dead-letter file once; the writes around it are committed', async () => {
    const fake = recordingSink();
    fake.state.poison.add('CA-bad');
    const spool = createMemorySpool();
    const writer = createHistoryWriter({ sink: fake.sink, spool, logger: quiet });
    const sids = ['CA1', 'CA2', 'CA-bad', 'CA3'];
    const results = await Promise.all(sids.map((sid) => writer.recordCallStart(callStart(sid))));
    assert.deepEqual(results, ['committed', 'committed', 'dead-lettered', 'committed']);
    assert.deepEqual(fake.committed(), ['CA1', 'CA2', 'CA3']);
    assert.equal(writer.stats().deadLettered, 1);
    const later = await Promise.all(['CA4', 'CA5'].map((sid) => writer.recordCallStart(callStart(sid))));
    assert.deepEqual(later, ['committed', 'committed'], 'nothing queues behind the poison write');
    await writer.close();
  });

  it('spools while the database is away, keeps order, and goes back to direct commits once the spool is drained', async () => {
    const fake = recordingSink();
    const spool = createMemorySpool();
    const writer = createHistoryWriter({ sink: fake.sink, spool, logger: quiet, retryMs: 60_000 });
    assert.equal(await writer.recordCallStart(callStart('CA1')), 'committed');
    fake.state.down = true;
    const away = await Promise.all(['CA2', 'CA3', 'CA4'].map((sid) => writer.recordCallStart(callStart(sid))));
    assert.deepEqual(away, ['spooled', 'spooled', 'spooled']);
    assert.equal(writer.stats().mode, 'spooling');
    assert.equal(writer.stats().spooled, 3);
    await writer.settle(); // a replay attempt while still away
    assert.equal(writer.stats().spooled, 3);
    fake.state.down = false;
    assert.equal(await writer.recordCallUpdate(callUpdate('CA2', { digits: '1' })), 'spooled', 'still behind the spool, to keep order');
    await writer.settle();
    assert.equal(writer.stats().mode, 'direct');
    assert.equal(writer.stats().spooled, 0);
    assert.deepEqual(fake.committed(), ['CA1', 'CA2', 'CA3', 'CA4', 'CA2']);
    assert.equal(await writer.recordCallStart(callStart('CA5')), 'committed');
    await writer.close();
  });

  it('a full spool loses the write loudly: counted, handed to onLost, and reported', async () => {
    const fake = recordingSink();
    fake.state.down = true;
    const lost: HistoryWrite[] = [];
    const errors: string[] = [];
    const writer = createHistoryWriter({
      sink: fake.sink,
      spool: createMemorySpool({ maxBytes: 600 }),
      logger: { info: () => {}, error: (m) => errors.push(m) },
      retryMs: 60_000,
      onLost: (writes) => lost.push(...writes),
    });
    assert.equal(await writer.recordCallStart(callStart('CA1')), 'spooled');
    assert.equal(await writer.recordCallStart(callStart('CA2')), 'lost');
    assert.equal(writer.stats().spoolFull, true);
    assert.equal(writer.stats().lost, 1);
    assert.deepEqual(lost.map((w) => (w.kind === 'start' ? w.start.callSid : '')), ['CA2']);
    assert.ok(errors.some((e) => e.includes('lost')));
    await writer.close();
  });

  it('on a real database: NUL, lone surrogates and an out-of-range amount never block the writes behind them', async () => {
    const history = await openPgliteHistory({ dataDir: 'memory' });
    const spool = createMemorySpool();
    const writer = createHistoryWriter({ sink: history, spool, logger: quiet });
    const bad = callStart('CA-amount', { customer: { customer_id: 'C-amount', amount: 1e15 } });
    const results = await Promise.all([
      writer.recordCallStart(callStart('CA-nul', { customer: { customer_id: 'C-nul', customer_name: 'a\u0000b' } })),
      writer.recordCallStart(bad),
      writer.recordCallStart(callStart('CA-surrogate', { exotelParams: { CustomField: '\ud800' } })),
      ...Array.from({ length: 20 }, (_, i) => writer.recordCallStart(callStart(`CA-good-${i}`))),
    ]);
    assert.equal(results[1], 'dead-lettered');
    assert.equal(results.filter((r) => r === 'committed').length, 22);
    assert.equal((await history.getCustomer('C-nul'))?.name, 'ab');
    assert.equal(await history.getCall('CA-amount'), undefined);
    assert.equal((await history.listCalls({ limit: 100 })).length, 22);
    await writer.close();
    await history.close();
  });
});
