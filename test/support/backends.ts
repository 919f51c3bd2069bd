/**
 * The store backends a server suite runs on: embedded (memory + PGlite) always, and the real Redis and/or
 * PostgreSQL when REDIS_URL / DATABASE_URL are set (CI sets both) — under a fresh key prefix and schema that
 * `cleanup()` removes. A variable that is set but unreachable fails the suite (`assertReachable`), never skips it.
 */
import { after, before } from 'node:test';
import { openPostgresHistory } from '../../src/stores/pg-history.ts';
import { openRedisSessionStore } from '../../src/stores/redis-sessions.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';
import {
  assertReachable,
  deleteRedisPrefix,
  dropSchema,
  realDatabaseUrl,
  realRedisUrl,
  uniqueName,
} from './services.ts';

export type Backend = {
  name: string;
  open: () => Promise<{ options: TestServerOptions; cleanup: () => Promise<void> }>;
};

/** `label` names the prefix and schema (lower-case letters, digits, `_`), so leftovers say which suite made them. */
export function serverBackends(label: string): Backend[] {
  const backends: Backend[] = [
    { name: 'memory + PGlite', open: async () => ({ options: {}, cleanup: async () => {} }) },
  ];
  const redisUrl = realRedisUrl();
  const databaseUrl = realDatabaseUrl();
  if (redisUrl === undefined && databaseUrl === undefined) return backends;
  backends.push({
    name: `${redisUrl ? 'Redis' : 'memory'} + ${databaseUrl ? 'PostgreSQL' : 'PGlite'}`,
    open: async () => {
      const stores = realStores(label, { redisUrl, databaseUrl });
      return { options: await stores.open(), cleanup: stores.cleanup };
    },
  });
  return backends;
}

/**
 * A fresh key prefix and schema named after `label` on the real Redis and/or PostgreSQL given (a URL left out is
 * not used): `open()` checks they answer and gives the test server's stores there, `cleanup()` removes both.
 * The names are fixed up front so a suite can hand them to the CLI (REDIS_PREFIX, DATABASE_SCHEMA).
 */
export function realStores(label: string, urls: { redisUrl?: string | undefined; databaseUrl?: string | undefined }) {
  const { redisUrl, databaseUrl } = urls;
  const prefix = `${uniqueName(label)}:`;
  const schema = uniqueName(label);
  return {
    prefix,
    schema,
    open: async (): Promise<TestServerOptions> => {
      await assertReachable();
      return {
        ...(redisUrl ? { sessions: await openRedisSessionStore({ url: redisUrl, prefix }) } : {}),
        ...(databaseUrl ? { history: await openPostgresHistory({ url: databaseUrl, schema }) } : {}),
      };
    },
    cleanup: async () => {
      if (databaseUrl) await dropSchema(databaseUrl, schema);
      if (redisUrl) await deleteRedisPrefix(redisUrl, prefix);
    },
  };
}

/**
 * Inside a suite's `describe`: open `backend` and start the test server on it before the suite's tests, close it
 * and remove the backend's prefix and schema after them. `options` are added to the backend's stores. The getter
 * gives the running server (call it inside hooks and tests, not while the suite is being declared).
 */
export function useServerOn(backend: Backend, options: TestServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    const opened = await backend.open();
    cleanup = opened.cleanup;
    server = await startTestServer({ ...opened.options, ...options });
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });
  return () => {
    if (server === undefined) throw new Error(`the test server on ${backend.name} is not running`);
    return server;
  };
}
