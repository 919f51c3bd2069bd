import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { describeError } from '../../src/cli/errors.ts';
import { EXIT, UnreachableError, UsageError } from '../../src/errors.ts';
import { appliedMigrations, migrate, migrationScript, MIGRATIONS } from '../../src/stores/migrations.ts';
import { openPostgresHistory, openPostgresSql } from '../../src/stores/pg-history.ts';
import { openPgliteHistory, openPgliteSql } from '../../src/stores/pglite-history.ts';
import type { HistoryStore } from '../../src/stores/ports.ts';
import { callLimit } from '../../src/stores/sql-history.ts';
import type { SqlPort } from '../../src/stores/sql-port.ts';
import { assertPostgresReachable, closedPort, realDatabaseUrl, withPostgresSchema } from '../support/services.ts';
import { callStart, historyStoreContract, type HistoryFixture } from './history-store.contract.ts';

async function pgliteMemoryFixture(): Promise<HistoryFixture> {
  const store = await openPgliteHistory({ dataDir: 'memory' });
  return { store, dispose: () => store.close() };
}

async function pgliteDirectoryFixture(): Promise<HistoryFixture> {
  const root = await mkdtemp(join(tmpdir(), 'exo-pglite-'));
  const dataDir = join(root, 'not', 'yet', 'there');
  let store = await openPgliteHistory({ dataDir });
  return {
    get store() {
      return store;
    },
    reopen: async () => {
      await store.close();
      store = await openPgliteHistory({ dataDir });
      return store;
    },
    dispose: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A database as the first release left it: only migration 1 applied, one customer, one call and its event in
 * `call_sessions`. Then `open` (the current code, which migrates) must find that call in `calls`.
 */
async function assertUpgradesFromFirstSchema(seed: SqlPort, schema: string, open: () => Promise<HistoryStore>): Promise<void> {
  await seed.exec(migrationScript(schema, MIGRATIONS.slice(0, 1)));
  await seed.exec(`
    insert into customers (customer_id, name) values ('C-old', 'Asha');
    insert into call_sessions (call_sid, customer_id, status, digits, outcome, exotel_params) values ('CA-old', 'C-old', 'ended', '2', 'declined', '{"CallSid":"CA-old"}');
    insert into call_events (call_sid, kind, detail) values ('CA-old', 'gather', '{"digits":"2"}');`);
  await seed.close();

  const store = await open();
  try {
    const call = await store.getCall('CA-old');
    assert.equal(call?.customer_id, 'C-old');
    assert.equal(call?.outcome, 'declined');
    assert.deepEqual(call?.exotel_params, { CallSid: 'CA-old' });
    assert.deepEqual((await store.listEvents('CA-old')).map((e) => e.kind), ['gather']);
    await store.recordCallStart(callStart('CA-new'));
    assert.deepEqual((await store.listCalls()).map((c) => c.call_sid).sort(), ['CA-new', 'CA-old']);
  } finally {
    await store.close();
  }
}

/** Names in the current schema that still say call_sessions (table, sequence, indexes, constraints). */
const LEFTOVER_NAMES = `
  select relname::text as name from pg_class where relnamespace = (select oid from pg_namespace where nspname = current_schema()) and relname like 'call\\_sessions%'
  union all
  select conname::text from pg_constraint where connamespace = (select oid from pg_namespace where nspname = current_schema()) and conname like 'call\\_sessions%'`;

historyStoreContract('pglite in memory', pgliteMemoryFixture);
historyStoreContract('pglite in a directory', pgliteDirectoryFixture, { reopens: true });

describe('migrations', () => {
  it('apply once: running them again on the same database changes nothing', async (t) => {
    const db = await openPgliteSql({ dataDir: 'memory' });
    t.after(() => db.close());
    await migrate(db, 'public');
    await db.query("insert into customers (customer_id, name) values ('C-1', 'Asha')");
    await migrate(db, 'public');
    assert.deepEqual(await appliedMigrations(db), MIGRATIONS.map((m) => m.version));
    assert.deepEqual((await db.query<{ name: string }>('select name from customers')).rows, [{ name: 'Asha' }]);
  });

  it('are all-or-nothing: a failing migration rolls back the ones before it in the same run', async (t) => {
    const db = await openPgliteSql({ dataDir: 'memory' });
    t.after(() => db.close());
    await migrate(db, 'public');
    const last = MIGRATIONS.at(-1)?.version ?? 0;
    const broken = [...MIGRATIONS, { version: last + 1, name: 'ok', sql: 'create table extra (x int);' }, { version: last + 2, name: 'bad', sql: 'select no_such_function();' }];
    await assert.rejects(db.exec(migrationScript('public', broken)), /no_such_function/);
    assert.deepEqual(await appliedMigrations(db), MIGRATIONS.map((m) => m.version));
    const extra = await db.query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_name = 'extra'");
    assert.deepEqual(extra.rows, [{ n: 0 }]);
  });

  it('must have strictly increasing versions', () => {
    const m = { version: 1, name: 'x', sql: 'select 1;' };
    assert.throws(() => migrationScript('public', [m, m]), /increasing/);
  });

  it('upgrade a database made by the first migration: its calls are read from `calls`, nothing is named call_sessions', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'exo-pglite-upgrade-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    await assertUpgradesFromFirstSchema(await openPgliteSql({ dataDir: root }), 'public', () => openPgliteHistory({ dataDir: root }));
    const db = await openPgliteSql({ dataDir: root });
    t.after(() => db.close());
    assert.deepEqual(await appliedMigrations(db), MIGRATIONS.map((m) => m.version));
    assert.deepEqual((await db.query(LEFTOVER_NAMES)).rows, []);
  });
});

describe('history: limits and failures that need no server', () => {
  it('clamps the listCalls limit: default 50, at most 1000, never negative', () => {
    assert.equal(callLimit(undefined), 50);
    assert.equal(callLimit(Number.NaN), 50);
    assert.equal(callLimit(5000), 1000);
    assert.equal(callLimit(-3), 0);
    assert.equal(callLimit(7.9), 7);
  });

  it('openPostgresHistory rejects with UnreachableError (exit 3) within a few seconds when nothing listens', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(openPostgresHistory({ url: `postgres://postgres:s3cret@127.0.0.1:${port}/test`, schema: 'never' }), (error: unknown) => {
      assert.ok(error instanceof UnreachableError, String(error));
      assert.equal(error.exitCode, EXIT.unreachable);
      assert.equal(error.dependency, 'postgres');
      assert.match(describeError(error).message, /^\[exo-passthru\] \[postgres\] cannot reach postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test: .*ECONNREFUSED/);
      assert.doesNotMatch(error.message, /s3cret/);
      assert.match(describeError(error).hint ?? '', /DATABASE_URL/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('openPostgresHistory refuses a schema that is not a plain identifier before connecting', async () => {
    await assert.rejects(openPostgresHistory({ url: 'postgres://127.0.0.1:1/x', schema: 'a; drop table x' }), UsageError);
  });

  it('openPgliteHistory reports a data directory it cannot create', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'exo-pglite-bad-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, 'file'), 'not a directory');
    await assert.rejects(openPgliteHistory({ dataDir: join(root, 'file', 'db') }), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.dependency, 'pglite');
      assert.match(describeError(error).hint ?? '', /DATA_DIR/);
      return true;
    });
  });
});

const databaseUrl = realDatabaseUrl();
if (databaseUrl !== undefined) {
  const url = databaseUrl;

  async function postgresFixture(): Promise<HistoryFixture> {
    const { schema, drop } = withPostgresSchema(url);
    let store: HistoryStore;
    try {
      store = await openPostgresHistory({ url, schema });
    } catch (error) {
      await drop();
      throw error;
    }
    return {
      get store() {
        return store;
      },
      reopen: async () => {
        await store.close();
        store = await openPostgresHistory({ url, schema });
        return store;
      },
      dispose: async () => {
        await store.close();
        await drop();
      },
    };
  }

  describe('postgres backend (DATABASE_URL)', () => {
    before(() => assertPostgresReachable(url));

    historyStoreContract('postgres', postgresFixture, { reopens: true });

    it('migrates once when several processes open the same new schema at the same time', async (t) => {
      const { schema, drop } = withPostgresSchema(url);
      t.after(drop);
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresHistory({ url, schema })));
      t.after(() => Promise.all(stores.map((s) => s.close())));
      const sql = await openPostgresSql({ url, schema });
      t.after(() => sql.close());
      assert.deepEqual(await appliedMigrations(sql), MIGRATIONS.map((m) => m.version));
      await stores[0]?.recordCallStart(callStart('CA-concurrent'));
      assert.equal((await stores[3]?.getCall('CA-concurrent'))?.status, 'in-progress');
    });

    it('upgrades a schema made by the first migration: its calls are read from `calls`, nothing is named call_sessions', async (t) => {
      const { schema, drop } = withPostgresSchema(url);
      t.after(drop);
      await assertUpgradesFromFirstSchema(await openPostgresSql({ url, schema }), schema, () => openPostgresHistory({ url, schema }));
      const sql = await openPostgresSql({ url, schema });
      t.after(() => sql.close());
      assert.deepEqual(await appliedMigrations(sql), MIGRATIONS.map((m) => m.version));
      assert.deepEqual((await sql.query(LEFTOVER_NAMES)).rows, []);
    });

    it('keeps each schema to itself (search_path is set on every pooled connection)', async (t) => {
      const a = await postgresFixture();
      const b = await postgresFixture();
      t.after(async () => {
        await a.dispose();
        await b.dispose();
      });
      await Promise.all(Array.from({ length: 12 }, (_, i) => a.store.recordCallStart(callStart(`CA-a-${i}`))));
      assert.equal((await a.store.listCalls()).length, 12);
      assert.deepEqual(await b.store.listCalls(), []);
      assert.equal(await b.store.getCall('CA-a-0'), undefined);
    });
  });
}
