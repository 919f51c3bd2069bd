/**
 * The store backends a server suite runs on: embedded (memory + PGlite) always, and the real Redis and/or
 * PostgreSQL when REDIS_URL / DATABASE_URL are set (CI sets both) — under a fresh key prefix and schema that
 * `cleanup()` removes. A variable that is set but unreachable fails the suite (`assertReachable`), never skips it.
 */
import { openPostgresHistory } from '../../src/stores/pg-history.ts';
import { openRedisSessionStore } from '../../src/stores/redis-sessions.ts';
import type { TestServerOptions } from './server.ts';
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
      await assertReachable();
      const prefix = `${uniqueName(label)}:`;
      const schema = uniqueName(label);
      return {
        options: {
          ...(redisUrl ? { sessions: await openRedisSessionStore({ url: redisUrl, prefix }) } : {}),
          ...(databaseUrl ? { history: await openPostgresHistory({ url: databaseUrl, schema }) } : {}),
        },
        cleanup: async () => {
          if (databaseUrl) await dropSchema(databaseUrl, schema);
          if (redisUrl) await deleteRedisPrefix(redisUrl, prefix);
        },
      };
    },
  });
  return backends;
}
