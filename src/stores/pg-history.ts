/**
 * History in PostgreSQL: a pg.Pool (pg imported lazily) whose every connection has `search_path` set to the
 * configured schema, so the SQL in sql-history.ts stays unqualified and one database can hold many schemas
 * (one per test, one per deployment).
 */
import type { Pool, QueryConfig } from 'pg';
import { AppError, UnreachableError, UsageError } from '../errors.ts';
import { migrate } from './migrations.ts';
import type { HistoryStore } from './ports.ts';
import { causeMessage, redactUrl } from './redact.ts';
import { createSqlHistoryStore } from './sql-history.ts';
import { quoteIdent, type SqlPort } from './sql-port.ts';

export type PostgresHistoryOptions = {
  url: string;
  /** A plain identifier; created if missing. */
  schema: string;
  /** Bound on opening a connection; 2 s by default. */
  connectTimeoutMs?: number;
  /**
   * Bound on waiting for a pooled connection, on connecting, and on each query (client side, so a frozen server —
   * a stalled network, a stopped process — fails the query instead of hanging it): 2 s by default. A query that
   * times out counts as "unreachable", like a refused connection. Migrations get at least 30 s.
   */
  timeoutMs?: number;
  /** Pool size; 10 by default. */
  maxConnections?: number;
  /**
   * Every transaction on every connection read-only (`default_transaction_read_only`), so a reader such as
   * `inspect` cannot write even by mistake: PostgreSQL refuses INSERT/UPDATE/DDL with SQLSTATE 25006.
   */
  readOnly?: boolean;
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Network errors, pool connect timeouts, dropped connections and SQLSTATE class 08 / server shutdown. */
function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const code = errorCode(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P03')) return true;
  return error instanceof Error && /timeout exceeded when trying to connect|Connection terminated|Query read timeout/i.test(error.message);
}

function unreachable(url: string, error: unknown): UnreachableError {
  return new UnreachableError('postgres', `cannot reach ${redactUrl(url)}: ${causeMessage(error)}`, { setting: 'databaseUrl', cause: error });
}

/** A SqlPort over a pool; exported so tests and tools can run their own SQL in the same schema. */
export async function openPostgresSql(options: PostgresHistoryOptions): Promise<SqlPort> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new UsageError(`DATABASE_SCHEMA must be a plain identifier, got "${options.schema}"`);
  }
  const { Pool: PgPool } = await import('pg');
  const pool: Pool = new PgPool({
    connectionString: options.url,
    options: `-c search_path=${quoteIdent(options.schema)}${options.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
    connectionTimeoutMillis: options.connectTimeoutMs ?? options.timeoutMs ?? 2000,
    max: options.maxConnections ?? 10,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection dropped by the server is reported here; without a listener it would crash the process.
  // The next query gets a fresh connection, or fails and reports.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw unreachable(options.url, error);
  }

  let ended = false;
  const queryTimeout = options.timeoutMs ?? 2000;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw isConnectionError(error) ? unreachable(options.url, error) : error;
    }
  };
  return {
    query: <T>(text: string, params?: unknown[]) =>
      guard(async () => ({ rows: (await pool.query({ text, values: params, query_timeout: queryTimeout } as QueryConfig)).rows as T[] })),
    exec: (sql: string) =>
      guard(async () => {
        await pool.query({ text: sql, query_timeout: Math.max(queryTimeout, 30_000) } as QueryConfig);
      }),
    async close() {
      if (ended) return;
      ended = true;
      // A frozen server never answers the goodbye: bounded, so shutdown does not hang on it.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([pool.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, queryTimeout)))]);
      clearTimeout(timer);
    },
  };
}

export async function openPostgresHistory(options: PostgresHistoryOptions): Promise<HistoryStore> {
  const sql = await openPostgresSql(options);
  try {
    await migrate(sql, options.schema);
  } catch (error) {
    await sql.close().catch(() => {});
    if (error instanceof AppError) throw error;
    throw new AppError(`migrating schema "${options.schema}" failed: ${causeMessage(error)}`, {
      code: 'E_MIGRATION',
      component: 'postgres',
      cause: error,
    });
  }
  return createSqlHistoryStore(sql, 'postgres');
}

const HISTORY_TABLES = ['call_events', 'calls', 'customers'];

/**
 * History for readers (`inspect`): no migrations, read-only connections, a small pool. A schema that does not hold
 * our tables is reported as such, instead of as a SQL error on the first query.
 */
export async function openReadOnlyPostgresHistory(options: PostgresHistoryOptions): Promise<HistoryStore> {
  const sql = await openPostgresSql({ ...options, readOnly: true, maxConnections: options.maxConnections ?? 2 });
  try {
    const { rows } = await sql.query<{ table_name: string }>(
      'select table_name::text from information_schema.tables where table_schema = $1::text and table_name = any($2::text[])',
      [options.schema, HISTORY_TABLES],
    );
    const found = new Set(rows.map((row) => row.table_name));
    const missing = HISTORY_TABLES.filter((name) => !found.has(name));
    if (missing.length > 0) {
      throw new AppError(`no exo-passthru history in schema "${options.schema}" (missing ${missing.join(', ')})`, {
        code: 'E_NO_HISTORY',
        component: 'postgres',
        setting: 'databaseSchema',
      });
    }
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
  return createSqlHistoryStore(sql, 'postgres');
}
