/**
 * History opened behind the server (openServerStores with historyInBackground, as serve does): writes taken while
 * the store opens are spooled and stored once it is open, reads wait until then, ping says "starting"; and the
 * real thing: PGlite as serve opens it (in memory on a worker thread; a directory's first-run database created by a
 * child process) keeps a directory's history across reopenings, and a first run's error from the process that
 * creates the database reaches the caller.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { openServerStores } from '../../src/stores/open.ts';
import { openPgliteHistory } from '../../src/stores/pglite-history.ts';
import { HISTORY_STARTING } from '../../src/stores/ports.ts';
import { callStart } from './history-store.contract.ts';

const quiet = { info: () => {}, error: () => {} };

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('history opened in the background', () => {
  it('a write taken while the store opens is spooled, then stored once it is open; reads wait for it', async (t) => {
    const { open, opened } = gate();
    const logs: string[] = [];
    const stores = await openServerStores(loadConfig({ env: { DATA_DIR: 'memory' } }), {
      logger: { info: (m) => logs.push(m), error: (m) => logs.push(m) },
      historyInBackground: true,
      openHistory: async () => {
        await opened;
        return openPgliteHistory({ dataDir: 'memory' });
      },
    });
    t.after(() => stores.close());
    stores.startHistory?.();
    assert.equal(await stores.writer.recordCallStart(callStart('CA-bg1')), 'spooled');
    assert.equal(stores.writer.stats().mode, 'spooling');
    await assert.rejects(stores.history.ping(), (error: { code?: string }) => error.code === HISTORY_STARTING);

    let done = false;
    const reading = stores.history.getCall('CA-bg1').finally(() => {
      done = true;
    });
    // A few turns of the event loop (not a sleep): a read that did not wait would have settled by now.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'a read waits while the store is opening');

    open();
    assert.equal((await reading)?.status, 'in-progress');
    await stores.historyReady;
    assert.equal(stores.writer.stats().mode, 'direct');
    assert.equal(stores.writer.stats().spooled, 0);
    await stores.history.ping();
    assert.equal(await stores.writer.recordCallStart(callStart('CA-bg2')), 'committed');
    // Writes taken during start-up are not "the database is back": no such line, no error line.
    assert.deepEqual(logs, []);
  });

  it('a store that cannot open rejects historyReady and every read; the writes stay in the spool', async (t) => {
    const stores = await openServerStores(loadConfig({ env: { DATA_DIR: 'memory' } }), {
      logger: quiet,
      historyInBackground: true,
      openHistory: async () => {
        throw new Error('disk on fire');
      },
    });
    t.after(() => stores.close());
    stores.startHistory?.();
    await assert.rejects(stores.historyReady, /disk on fire/);
    await assert.rejects(stores.history.getCall('CA-x'), /disk on fire/);
    assert.equal(await stores.writer.recordCallStart(callStart('CA-x')), 'spooled');
  });
});

describe('history in the background starts when told (serve: once it listens)', () => {
  /** Background stores over an in-memory PGlite, counting how often it was opened. */
  async function counted() {
    const count = { opened: 0 };
    const stores = await openServerStores(loadConfig({ env: { DATA_DIR: 'memory' } }), {
      logger: quiet,
      historyInBackground: true,
      openHistory: async () => {
        count.opened++;
        return openPgliteHistory({ dataDir: 'memory' });
      },
    });
    return { stores, count };
  }

  it('nothing is opened before startHistory; writes are spooled meanwhile', async (t) => {
    const { stores, count } = await counted();
    t.after(() => stores.close());
    assert.equal(await stores.writer.recordCallStart(callStart('CA-st1')), 'spooled');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(count.opened, 0);
    stores.startHistory?.();
    await stores.historyReady;
    assert.equal(count.opened, 1);
    assert.equal((await stores.history.getCall('CA-st1'))?.status, 'in-progress');
  });

  it('closed before it was started (serve could not listen): closes at once, opens nothing', async () => {
    const { stores, count } = await counted();
    await stores.close();
    await assert.rejects(stores.historyReady, /serve stopped before the embedded database was opened/);
    assert.equal(count.opened, 0);
  });
});

describe('PGlite as serve opens it (never created on its thread)', () => {
  it('in memory (on a worker thread): stores and reads, answers after a refused query, closes', async () => {
    const history = await openPgliteHistory({ dataDir: 'memory', createApart: true });
    await history.recordCallStart(callStart('CA-m1'));
    assert.equal((await history.getCall('CA-m1'))?.status, 'in-progress');
    await assert.rejects(history.listCalls({ since: new Date(Number.NaN) }));
    assert.equal((await history.listCalls()).length, 1);
    await history.close();
    await assert.rejects(history.getCall('CA-m1'), /closed/);
  });

  it('keeps history in its directory across reopenings, and answers after a refused query', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'exo-pglite-apart-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const first = await openPgliteHistory({ dataDir, createApart: true });
    await first.recordCallStart(callStart('CA-w1'));
    await first.close();
    const second = await openPgliteHistory({ dataDir, createApart: true });
    t.after(() => second.close());
    assert.equal((await second.getCall('CA-w1'))?.status, 'in-progress');
    await assert.rejects(second.listCalls({ since: new Date(Number.NaN) }));
    assert.equal((await second.listCalls()).length, 1);
  });

  it('a first run whose directory cannot be made fails with the creating process’s own words', async (t) => {
    // A first run creates the database in a child process (pglite-history.ts): its error is the caller's error.
    const parent = await mkdtemp(join(tmpdir(), 'exo-pglite-apart-'));
    t.after(() => rm(parent, { recursive: true, force: true }));
    await writeFile(join(parent, 'a-file'), '');
    const dataDir = join(parent, 'a-file', 'pglite');
    await assert.rejects(openPgliteHistory({ dataDir, createApart: true }), (error: Error) => {
      assert.match(error.message, /^cannot open the embedded database in .*a-file\/pglite: ENOTDIR/);
      return true;
    });
  });
});
