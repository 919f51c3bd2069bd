/**
 * Pick and open the stores from Config: REDIS_URL → Redis sessions, else in-memory; DATABASE_URL → PostgreSQL
 * history in DATABASE_SCHEMA, else embedded PGlite in DATA_DIR ('memory' keeps nothing). Each adapter imports
 * its driver only when chosen.
 */
import type { Config } from '../config.ts';
import { createDeferredHistory } from './deferred-history.ts';
import { createHistoryWriter } from './history-writer.ts';
import { createMemorySessionStore } from './memory-sessions.ts';
import type { HistoryStore, HistoryWrite, HistoryWriter, SessionStore } from './ports.ts';
import { createMemorySpool, openFileSpool } from './spool.ts';

export type Stores = {
  sessions: SessionStore;
  history: HistoryStore;
  /** Resolves when history is open: at once, unless PGlite opens in the background. */
  historyOpened: Promise<unknown>;
  describe(): { sessions: SessionStore['kind']; history: HistoryStore['kind'] };
  close(): Promise<void>;
};

export type StoreConfig = Pick<Config, 'redisUrl' | 'redisPrefix' | 'databaseUrl' | 'databaseSchema' | 'dataDir' | 'storeTimeoutMs'>;

export type OpenStoresOptions = {
  /** Overrides config.dataDir for PGlite (e.g. a path resolved against the working directory). */
  pgliteDataDir?: string;
  /** Replace how a store is opened (tests); by default the adapter is picked from config. */
  openSessions?: (config: StoreConfig) => Promise<SessionStore>;
  openHistory?: (config: StoreConfig, options: { pgliteDataDir?: string }) => Promise<HistoryStore>;
  /**
   * Open embedded PGlite behind the returned store instead of before it (serve: listen at once; writes spool
   * until it is open; not for DATA_DIR=memory, a run that keeps nothing). `historyOpened` settles when it is open, or rejects with why it could not be.
   */
  pgliteInBackground?: boolean;
};

async function openSessions(config: StoreConfig): Promise<SessionStore> {
  if (config.redisUrl === undefined) return createMemorySessionStore();
  const { openRedisSessionStore } = await import('./redis-sessions.ts');
  return openRedisSessionStore({ url: config.redisUrl, prefix: config.redisPrefix, timeoutMs: config.storeTimeoutMs });
}

async function openHistory(config: StoreConfig, options: { pgliteDataDir?: string }): Promise<HistoryStore> {
  if (config.databaseUrl !== undefined) {
    const { openPostgresHistory } = await import('./pg-history.ts');
    return openPostgresHistory({ url: config.databaseUrl, schema: config.databaseSchema, timeoutMs: config.storeTimeoutMs });
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
  let historyOpened: Promise<unknown> = Promise.resolve();
  try {
    const open = () => (options.openHistory ?? openHistory)(config, { pgliteDataDir: options.pgliteDataDir });
    if (options.pgliteInBackground === true && config.databaseUrl === undefined && (options.pgliteDataDir ?? config.dataDir) !== 'memory') {
      const deferred = createDeferredHistory('pglite', open());
      history = deferred;
      historyOpened = deferred.opened;
    } else {
      history = await open();
    }
  } catch (error) {
    await sessions.close().catch(() => {});
    throw error;
  }
  return {
    sessions,
    history,
    historyOpened,
    describe: () => ({ sessions: sessions.kind, history: history.kind }),
    close: () => closeAll([sessions, history]),
  };
}

export type WriterConfig = Pick<Config, 'dataDir' | 'spoolDir' | 'spoolMaxBytes' | 'historyBatchMax' | 'historyBatchWaitMs'>;

export type WriterOptions = {
  logger: { info: (message: string) => void; error: (message: string, error?: unknown) => void };
  /** Writes the spool could not take (full, or the disk failed): the caller must not let them pass silently. */
  onLost?: (writes: readonly HistoryWrite[]) => void;
  /** Pause between replays of the spool while the database is away (1 s). */
  retryMs?: number;
};

/** SPOOL_DIR, else `.exo-passthru/spool` — or memory when DATA_DIR is 'memory' (a run meant to keep nothing). */
function spoolDirOf(config: Pick<Config, 'dataDir' | 'spoolDir'>): string {
  return config.spoolDir ?? (config.dataDir === 'memory' ? 'memory' : '.exo-passthru/spool');
}

/** The server's write path over `history`: group commit, the spool (opened and locked here), dead letters. */
async function openHistoryWriter(config: WriterConfig, history: HistoryStore, options: WriterOptions): Promise<HistoryWriter> {
  const dir = spoolDirOf(config);
  const spool = dir === 'memory' ? createMemorySpool({ maxBytes: config.spoolMaxBytes }) : await openFileSpool({ dir, maxBytes: config.spoolMaxBytes });
  return createHistoryWriter({
    sink: history,
    spool,
    logger: options.logger,
    batchMax: config.historyBatchMax,
    batchWaitMs: config.historyBatchWaitMs,
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.onLost ? { onLost: options.onLost } : {}),
  });
}

export type ServerStores = Stores & { writer: HistoryWriter };

/** What `serve` runs on: the stores, and the write path in front of history. Closing stops the writer first. */
export async function openServerStores(config: StoreConfig & WriterConfig, options: OpenStoresOptions & WriterOptions): Promise<ServerStores> {
  const stores = await openStores(config, options);
  let writer: HistoryWriter;
  try {
    writer = await openHistoryWriter(config, stores.history, options);
  } catch (error) {
    await stores.close().catch(() => {});
    throw error;
  }
  return { ...stores, writer };
}
