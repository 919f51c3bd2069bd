/**
 * History in embedded PGlite (PostgreSQL compiled to WebAssembly, imported lazily): `serve` without
 * DATABASE_URL, and every test. `dataDir: 'memory'` keeps nothing; any other value is a directory (created if
 * missing) so history survives restarts. The SQL is the same as on PostgreSQL (sql-history.ts).
 */
import { spawn } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { AppError, UnreachableError } from '../errors.ts';
import { migrate } from './migrations.ts';
import type { HistoryStore } from './ports.ts';
import { causeMessage } from './redact.ts';
import { createSqlHistoryStore } from './sql-history.ts';
import type { SqlPort } from './sql-port.ts';

export type PgliteHistoryOptions = {
  /** 'memory' (or a `memory://` URL) for an in-memory database, else a directory. */
  dataDir: string;
  /**
   * Never create the database on this thread (serve): a directory's on a first run in a child process, then opened
   * here; `memory` on a worker thread (pglite-worker.ts).
   */
  createApart?: boolean;
};

/**
 * PostgreSQL's default buffers are sized for a server; a dev loop's history is a few thousand rows. Measured on
 * reopening a data directory: steady RSS 314 → 177 MB.
 */
const SMALL_MEMORY = [
  'shared_buffers=1MB',
  'wal_buffers=64kB',
  'temp_buffers=1MB',
  'work_mem=1MB',
  'maintenance_work_mem=1MB',
].flatMap((setting) => ['-c', setting]);

function isMemoryDataDir(dataDir: string): boolean {
  return dataDir === 'memory' || dataDir.startsWith('memory://');
}

/** A SqlPort over PGlite; exported so tests and tools can run their own SQL on the same database. */
export async function openPgliteSql(options: PgliteHistoryOptions): Promise<SqlPort> {
  const memory = isMemoryDataDir(options.dataDir);
  let db: PGlite;
  try {
    const { PGlite: Pglite } = await import('@electric-sql/pglite');
    if (!memory) await mkdir(options.dataDir, { recursive: true });
    db = await Pglite.create(memory ? undefined : options.dataDir, {
      startParams: [...Pglite.defaultStartParams, ...SMALL_MEMORY],
    });
  } catch (error) {
    const where = memory ? 'in memory' : `in ${options.dataDir}`;
    throw new UnreachableError('pglite', `cannot open the embedded database ${where}: ${causeMessage(error)}`, {
      setting: 'dataDir',
      cause: error,
    });
  }
  return {
    query: async <T>(text: string, params?: unknown[]) => ({ rows: (await db.query<T>(text, params)).rows }),
    exec: async (sql: string) => {
      await db.exec(sql);
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

type WorkerAnswer =
  | { type: 'open' }
  | { type: 'open-error'; message: string }
  | { id: number; rows: unknown[] }
  | { id: number; error: { message: string; code?: string } };

/**
 * How serve opens PGlite (`createApart`), so that creating a database never runs on serve's thread: creating one
 * takes seconds without yielding for long, and grows PGlite's WebAssembly heap to several times what an existing
 * directory needs (a WebAssembly heap never shrinks) while much of what V8 and PGlite malloc meanwhile stays in
 * the malloc arenas (README.md, "Start-up and memory", has the figures).
 * - A directory: on a first run (no PG_VERSION yet) a child process creates the database and exits, giving all of
 *   that back; then it is opened here, which holds the thread only briefly (same section).
 * - `memory`: a new database every time, so it is created and used on a worker thread (pglite-worker.ts).
 */
async function openPgliteSqlCreatedApart(options: PgliteHistoryOptions): Promise<SqlPort> {
  if (isMemoryDataDir(options.dataDir)) return startPgliteWorker(options);
  const created = await access(join(options.dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!created) await createInProcess(options.dataDir);
  return openPgliteSql(options);
}

// The worker is this folder's .ts under node --test (types stripped), its compiled .js in dist/.
const WORKER_FILE = new URL(`./pglite-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * pglite-worker.ts run as a process: it creates the database in `dataDir` and exits. Compiled with Liftoff only,
 * as serve's bin does for its own process (bin/exo-passthru.js; README, "Start-up and memory"): V8's default
 * tiers compile PGlite twice, and that process's peak RSS was about twice as high (measured, 1.1 GB).
 */
async function createInProcess(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--liftoff-only', fileURLToPath(WORKER_FILE), '--create', dataDir], {
    // stdin: the child's way to see this process end (pglite-worker.ts), never written to.
    stdio: ['pipe', 'ignore', 'pipe'],
    // Its own process group: Ctrl-C in a terminal signals the whole group, and would stop the child midway through
    // creating the database while serve, stopping gracefully, waits for the history store to open.
    detached: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    child.once('error', (error) =>
      reject(
        new UnreachableError('pglite', `cannot open the embedded database in ${dataDir}: ${causeMessage(error)}`, {
          setting: 'dataDir',
          cause: error,
        }),
      ),
    );
  });
  if (code === 0) return;
  // openPgliteSql's own words ("cannot open the embedded database in …: …"), else how the process ended.
  const said = stderr.trim().split('\n').at(-1);
  throw new UnreachableError(
    'pglite',
    said || `cannot open the embedded database in ${dataDir}: its process exited with ${signal ?? `code ${code}`}`,
    { setting: 'dataDir' },
  );
}

async function startPgliteWorker(options: PgliteHistoryOptions): Promise<SqlPort> {
  const memory = isMemoryDataDir(options.dataDir);
  const where = memory ? 'in memory' : `in ${options.dataDir}`;
  const worker = new Worker(WORKER_FILE, { workerData: { dataDir: options.dataDir } });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  const cannotOpen = (error: unknown) =>
    new UnreachableError('pglite', `cannot open the embedded database ${where}: ${causeMessage(error)}`, {
      setting: 'dataDir',
      cause: error,
    });
  const fail = (error: Error) => {
    stopped ??= error;
    for (const waiter of pending.values()) waiter.reject(stopped);
    pending.clear();
  };
  const opened = new Promise<void>((resolve, reject) => {
    worker.on('message', (answer: WorkerAnswer) => {
      if ('type' in answer) {
        // openPgliteSql's own words ("cannot open the embedded database in …: …").
        if (answer.type === 'open') resolve();
        else reject(new UnreachableError('pglite', answer.message, { setting: 'dataDir' }));
        return;
      }
      const waiter = pending.get(answer.id);
      pending.delete(answer.id);
      if (waiter === undefined) return;
      if ('rows' in answer) waiter.resolve(answer.rows);
      else waiter.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
    });
    worker.on('error', (error) => {
      reject(cannotOpen(error));
      fail(new UnreachableError('pglite', `the embedded database thread failed: ${causeMessage(error)}`));
    });
    worker.on('exit', (code) => {
      reject(cannotOpen(new Error(`its thread exited (code ${code})`)));
      fail(new UnreachableError('pglite', `the embedded database ${where} is closed`));
    });
  });
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const call = (op: 'query' | 'exec' | 'close', text?: string, params?: unknown[]) =>
    new Promise<unknown[]>((resolve, reject) => {
      if (stopped) return reject(stopped);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, text, params });
    });
  let closing: Promise<void> | undefined;
  return {
    query: async <T>(text: string, params?: unknown[]) => ({ rows: (await call('query', text, params)) as T[] }),
    exec: async (sql: string) => {
      await call('exec', sql);
    },
    close: () =>
      (closing ??= (async () => {
        if (!stopped) await call('close').catch(() => {});
        await worker.terminate();
      })()),
  };
}

export async function openPgliteHistory(options: PgliteHistoryOptions): Promise<HistoryStore> {
  const sql = options.createApart === true ? await openPgliteSqlCreatedApart(options) : await openPgliteSql(options);
  try {
    await migrate(sql, 'public');
  } catch (error) {
    await sql.close().catch(() => {});
    if (error instanceof AppError) throw error;
    throw new AppError(`migrating the embedded database failed: ${causeMessage(error)}`, {
      code: 'E_MIGRATION',
      component: 'pglite',
      cause: error,
    });
  }
  return createSqlHistoryStore(sql, 'pglite');
}
