/**
 * Pick and open the stores from Config: REDIS_URL → Redis sessions, else in-memory; DATABASE_URL → PostgreSQL
 * history in DATABASE_SCHEMA, else embedded PGlite in DATA_DIR ('memory' keeps nothing). Each adapter imports
 * its driver only when chosen.
 */
import type { Config } from '../config.ts';
import type { HistoryStore, SessionStore } from './ports.ts';
import { createMemorySessionStore } from './memory-sessions.ts';

export type Stores = {
  sessions: SessionStore;
  history: HistoryStore;
  describe(): { sessions: SessionStore['kind']; history: HistoryStore['kind'] };
  close(): Promise<void>;
};

export type StoreConfig = Pick<Config, 'redisUrl' | 'redisPrefix' | 'databaseUrl' | 'databaseSchema' | 'dataDir'>;

export type OpenStoresOptions = {
  /** Overrides config.dataDir for PGlite (e.g. a path resolved against the working directory). */
  pgliteDataDir?: string;
  /** Replace how a store is opened (tests); by default the adapter is picked from config. */
  openSessions?: (config: StoreConfig) => Promise<SessionStore>;
  openHistory?: (config: StoreConfig, options: { pgliteDataDir?: string }) => Promise<HistoryStore>;
};

async function openSessions(config: StoreConfig): Promise<SessionStore> {
  if (config.redisUrl === undefined) return createMemorySessionStore();
  const { openRedisSessionStore } = await import('./redis-sessions.ts');
  return openRedisSessionStore({ url: config.redisUrl, prefix: config.redisPrefix });
}

async function openHistory(config: StoreConfig, options: { pgliteDataDir?: string }): Promise<HistoryStore> {
  if (config.databaseUrl !== undefined) {
    const { openPostgresHistory } = await import('./pg-history.ts');
    return openPostgresHistory({ url: config.databaseUrl, schema: config.databaseSchema });
  }
  const { openPgliteHistory } = await import('./pglite-history.ts');
  return openPgliteHistory({ dataDir: options.pgliteDataDir ?? config.dataDir });
}

/** Close both even when one fails; report the first failure. */
async function closeAll(stores: ReadonlyArray<SessionStore | HistoryStore>): Promise<void> {
  const results = await Promise.allSettled(stores.map((s) => s.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function openStores(config: StoreConfig, options: OpenStoresOptions = {}): Promise<Stores> {
  const sessions = await (options.openSessions ?? openSessions)(config);
  let history: HistoryStore;
  try {
    history = await (options.openHistory ?? openHistory)(config, { pgliteDataDir: options.pgliteDataDir });
  } catch (error) {
    await sessions.close().catch(() => {});
    throw error;
  }
  return {
    sessions,
    history,
    describe: () => ({ sessions: sessions.kind, history: history.kind }),
    close: () => closeAll([sessions, history]),
  };
}
