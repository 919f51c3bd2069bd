/**
 * Pick and open the stores from Config: REDIS_URL → Redis sessions, else in-memory; DATABASE_URL → PostgreSQL
 * history in DATABASE_SCHEMA, else embedded PGlite in DATA_DIR ('memory' keeps nothing). Each adapter imports
 * its driver only when chosen.
 */
import type { Config } from '../config.ts';
import { UnreachableError } from '../errors.ts';
import { createDeferredHistory } from './deferred-history.ts';
import { createHistoryWriter } from './history-writer.ts';
import { createMemorySessionStore } from './memory-sessions.ts';
import type { HistoryStore, HistoryWrite, HistoryWriter, SessionStore } from './ports.ts';
import { createMemorySpool, openFileSpool } from './spool.ts';

export type Stores = {
  sessions: SessionStore;
  history: HistoryStore;
  describe(): { sessions: SessionStore['kind']; history: HistoryStore['kind'] };
  close(): Promise<void>;
};

export type StoreConfig = Pick<
  Config,
  'redisUrl' | 'redisPrefix' | 'databaseUrl' | 'databaseSchema' | 'dataDir' | 'storeTimeoutMs'
>;

export type OpenStoresOptions = {
  /** Overrides config.dataDir for PGlite (e.g. a path resolved against the working directory). */
  pgliteDataDir?: string;
  /** Replace how a store is opened (tests); by default the adapter is picked from config. */
  openSessions?: (config: StoreConfig) => Promise<SessionStore>;
  openHistory?: (
    config: StoreConfig,
    options: { pgliteDataDir?: string; pgliteCreateApart?: boolean },
  ) => Promise<HistoryStore>;
};

async function openSessions(config: StoreConfig): Promise<SessionStore> {
  if (config.redisUrl === undefined) return createMemorySessionStore();
  const { openRedisSessionStore } = await import('./redis-sessions.ts');
  return openRedisSessionStore({ url: config.redisUrl, prefix: config.redisPrefix, timeoutMs: config.storeTimeoutMs });
}

async function openHistory(
  config: StoreConfig,
  options: { pgliteDataDir?: string; pgliteCreateApart?: boolean },
): Promise<HistoryStore> {
  if (config.databaseUrl !== undefined) {
    const { openPostgresHistory } = await import('./pg-history.ts');
    return openPostgresHistory({
      url: config.databaseUrl,
      schema: config.databaseSchema,
      timeoutMs: config.storeTimeoutMs,
    });
  }
  const { openPgliteHistory } = await import('./pglite-history.ts');
  return openPgliteHistory({
    dataDir: options.pgliteDataDir ?? config.dataDir,
    ...(options.pgliteCreateApart ? { createApart: true } : {}),
  });
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

export type WriterConfig = Pick<
  Config,
  'dataDir' | 'spoolDir' | 'spoolMaxBytes' | 'historyBatchMax' | 'historyBatchWaitMs'
>;

type WriterOptions = {
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
async function openHistoryWriter(
  config: WriterConfig,
  history: HistoryStore,
  options: WriterOptions & { sinkOpening?: Promise<unknown> },
): Promise<HistoryWriter> {
  const dir = spoolDirOf(config);
  const spool =
    dir === 'memory'
      ? createMemorySpool({ maxBytes: config.spoolMaxBytes })
      : await openFileSpool({ dir, maxBytes: config.spoolMaxBytes });
  return createHistoryWriter({
    sink: history,
    spool,
    logger: options.logger,
    batchMax: config.historyBatchMax,
    batchWaitMs: config.historyBatchWaitMs,
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.onLost ? { onLost: options.onLost } : {}),
    ...(options.sinkOpening ? { sinkOpening: options.sinkOpening } : {}),
  });
}

/**
 * `historyReady`: settles once history reads are complete (at once, unless it opens in the background).
 * `startHistory`: with history in the background, starts opening it (serve: once it listens); until then writes
 * are spooled and reads wait, as while it opens.
 */
export type ServerStores = Stores & { writer: HistoryWriter; historyReady: Promise<void>; startHistory?: () => void };

export type ServerStoresOptions = OpenStoresOptions &
  WriterOptions & {
    /**
     * Open embedded PGlite behind the server instead of before it (serve: listen at once). Writes meanwhile go
     * to the spool and are replayed when it is open; reads wait for that (deferred-history.ts). No effect with
     * DATABASE_URL: PostgreSQL connects in milliseconds, and a wrong URL should stop serve before it listens.
     */
    historyInBackground?: boolean;
  };

/** What `serve` runs on: the stores, and the write path in front of history. Closing stops the writer first. */
export async function openServerStores(
  config: StoreConfig & WriterConfig,
  options: ServerStoresOptions,
): Promise<ServerStores> {
  if (options.historyInBackground === true && config.databaseUrl === undefined)
    return openWithBackgroundHistory(config, options);
  const stores = await openStores(config, options);
  let writer: HistoryWriter;
  try {
    writer = await openHistoryWriter(config, stores.history, options);
  } catch (error) {
    await stores.close().catch(() => {});
    throw error;
  }
  return { ...stores, writer, historyReady: Promise.resolve() };
}

async function openWithBackgroundHistory(
  config: StoreConfig & WriterConfig,
  options: ServerStoresOptions,
): Promise<ServerStores> {
  const sessions = await (options.openSessions ?? openSessions)(config);
  // Behind the server: opening PGlite takes a few hundred milliseconds (seconds on a first run, which creates the
  // database in a child process), while serve already answers. It starts when told (startHistory, which serve
  // calls once it has said where it listens): PGlite loads on this thread, and loading it sooner delayed the
  // listening line by about 0.1 s (README.md, "Start-up and memory").
  let go: (start: boolean) => void = () => {};
  const started = new Promise<boolean>((resolve) => {
    go = resolve;
  });
  const opening = started.then((start) => {
    if (!start) throw new UnreachableError('pglite', 'serve stopped before the embedded database was opened');
    return (options.openHistory ?? openHistory)(config, {
      ...(options.pgliteDataDir !== undefined ? { pgliteDataDir: options.pgliteDataDir } : {}),
      pgliteCreateApart: true,
    });
  });
  // The store needs the writer once open (reads wait for its replay), and the writer is made over the store.
  let made: (writer: HistoryWriter) => void = () => {};
  const writerMade = new Promise<HistoryWriter>((resolve) => {
    made = resolve;
  });
  const history = createDeferredHistory('pglite', opening, async () => (await writerMade).settle());
  let writer: HistoryWriter;
  try {
    writer = await openHistoryWriter(config, history, { ...options, sinkOpening: opening });
    made(writer);
  } catch (error) {
    await closeAll([sessions, history]).catch(() => {});
    throw error;
  }
  return {
    sessions,
    history,
    writer,
    historyReady: history.ready,
    startHistory: () => go(true),
    describe: () => ({ sessions: sessions.kind, history: history.kind }),
    close: () => {
      // Not started (serve did not get to listen): nothing to open, only to close. After a start, no effect.
      go(false);
      return closeAll([sessions, history]);
    },
  };
}
