import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { UnreachableError } from '../../src/errors.ts';
import { createMemorySessionStore } from '../../src/stores/memory-sessions.ts';
import { openStores } from '../../src/stores/open.ts';
import type { SessionStore } from '../../src/stores/ports.ts';
import {
  assertReachable,
  closedPort,
  deleteRedisPrefix,
  realDatabaseUrl,
  realRedisUrl,
  uniqueName,
  withPostgresSchema,
} from '../support/services.ts';
import { sampleSession } from './session-store.contract.ts';
import { callStart } from './history-store.contract.ts';

const run = promisify(execFile);

describe('openStores: embedded defaults', () => {
  it('opens memory sessions and in-memory PGlite when neither REDIS_URL nor DATABASE_URL is set', async (t) => {
    const stores = await openStores(loadConfig({ env: { DATA_DIR: 'memory' } }));
    t.after(() => stores.close());
    assert.deepEqual(stores.describe(), { sessions: 'memory', history: 'pglite' });
    await stores.sessions.put(sampleSession('CA-open'), 60);
    await stores.history.recordCallStart(callStart('CA-open'));
    assert.equal((await stores.history.getCall('CA-open'))?.status, 'in-progress');
  });

  it('keeps PGlite in the directory given by pgliteDataDir (over config.dataDir)', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'exo-open-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, 'pglite');
    const stores = await openStores(loadConfig({ env: { DATA_DIR: 'memory' } }), { pgliteDataDir: dataDir });
    await stores.history.recordCallStart(callStart('CA-disk'));
    await stores.close();
    await access(join(dataDir, 'PG_VERSION'));
    const again = await openStores(loadConfig({ env: { DATA_DIR: dataDir } }));
    t.after(() => again.close());
    assert.equal((await again.history.getCall('CA-disk'))?.call_sid, 'CA-disk');
  });

  it('closes the session store it opened when the history store fails to open, then rethrows', async () => {
    const closed: string[] = [];
    const failure = new UnreachableError('postgres', 'nope');
    const openSessions = async (): Promise<SessionStore> => {
      const store = createMemorySessionStore();
      return { ...store, kind: store.kind, close: async () => void closed.push('sessions') };
    };
    await assert.rejects(
      openStores(loadConfig({ env: { DATA_DIR: 'memory' } }), {
        openSessions,
        openHistory: () => Promise.reject(failure),
      }),
      (e) => e === failure,
    );
    assert.deepEqual(closed, ['sessions']);
  });

  it('does not load ioredis or pg unless REDIS_URL / DATABASE_URL ask for them', async () => {
    const openUrl = pathToFileURL(join(import.meta.dirname, '../../src/stores/open.ts')).href;
    const configUrl = pathToFileURL(join(import.meta.dirname, '../../src/config.ts')).href;
    const script = `
      import { createRequire } from 'node:module';
      import { openStores } from ${JSON.stringify(openUrl)};
      import { loadConfig } from ${JSON.stringify(configUrl)};
      const drivers = () => [...new Set(Object.keys(createRequire(import.meta.url).cache).flatMap((k) => k.match(/node_modules\\/(ioredis|pg)\\//)?.[1] ?? []))].sort();
      const stores = await openStores(loadConfig({ env: { DATA_DIR: 'memory' } }));
      await stores.close();
      const embedded = drivers();
      const port = process.argv[1];
      await openStores(loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:' + port, DATA_DIR: 'memory' } })).catch(() => {});
      await openStores(loadConfig({ env: { DATABASE_URL: 'postgres://127.0.0.1:' + port + '/x', DATA_DIR: 'memory' } })).catch(() => {});
      console.log(JSON.stringify({ embedded, afterUrls: drivers() }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, String(await closedPort())], {
      timeout: 30_000,
    });
    assert.deepEqual(JSON.parse(stdout), { embedded: [], afterUrls: ['ioredis', 'pg'] });
  });
});

const redisUrl = realRedisUrl();
const databaseUrl = realDatabaseUrl();
if (redisUrl !== undefined && databaseUrl !== undefined) {
  const redis = redisUrl;
  const database = databaseUrl;
  describe('openStores: REDIS_URL and DATABASE_URL', () => {
    before(() => assertReachable());

    it('opens Redis sessions under REDIS_PREFIX and PostgreSQL history in DATABASE_SCHEMA', async (t) => {
      const prefix = `exo-test:${uniqueName('open')}:`;
      const { schema, drop } = withPostgresSchema(database);
      t.after(async () => {
        await deleteRedisPrefix(redis, prefix);
        await drop();
      });
      const env = { REDIS_URL: redis, REDIS_PREFIX: prefix, DATABASE_URL: database, DATABASE_SCHEMA: schema };
      const stores = await openStores(loadConfig({ env }));
      t.after(() => stores.close());
      assert.deepEqual(stores.describe(), { sessions: 'redis', history: 'postgres' });
      await stores.sessions.put(sampleSession('CA-real'), 60);
      assert.deepEqual(
        (await stores.sessions.list()).map((e) => e.session.callSid),
        ['CA-real'],
      );
      await stores.history.recordCallStart(callStart('CA-real'));
      assert.equal((await stores.history.getCall('CA-real'))?.call_sid, 'CA-real');
    });

    it('rejects with the PostgreSQL error when only the database is unreachable', async () => {
      const env = {
        REDIS_URL: redis,
        REDIS_PREFIX: `exo-test:${uniqueName('open')}:`,
        DATABASE_URL: `postgres://127.0.0.1:${await closedPort()}/x`,
      };
      await assert.rejects(
        openStores(loadConfig({ env })),
        (e: unknown) => e instanceof UnreachableError && e.dependency === 'postgres',
      );
    });
  });
}
