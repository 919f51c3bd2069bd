/**
 * History in embedded PGlite (PostgreSQL compiled to WebAssembly, imported lazily): `serve` without
 * DATABASE_URL, and every test. `dataDir: 'memory'` keeps nothing; any other value is a directory (created if
 * missing) so history survives restarts. The SQL is the same as on PostgreSQL (sql-history.ts).
 */
import { mkdir } from 'node:fs/promises';
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
};

/**
 * PostgreSQL's default buffers are sized for a server; a dev loop's history is a few thousand rows. Measured on
 * reopening a data directory: steady RSS 314 → 177 MB (README, "Start-up and memory").
 */
const SMALL_MEMORY = ['shared_buffers=1MB', 'wal_buffers=64kB', 'temp_buffers=1MB', 'work_mem=1MB', 'maintenance_work_mem=1MB'].flatMap((setting) => ['-c', setting]);

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
    db = await Pglite.create(memory ? undefined : options.dataDir, { startParams: [...Pglite.defaultStartParams, ...SMALL_MEMORY] });
  } catch (error) {
    const where = memory ? 'in memory' : `in ${options.dataDir}`;
    throw new UnreachableError('pglite', `cannot open the embedded database ${where}: ${causeMessage(error)}`, { setting: 'dataDir', cause: error });
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

export async function openPgliteHistory(options: PgliteHistoryOptions): Promise<HistoryStore> {
  const sql = await openPgliteSql(options);
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
