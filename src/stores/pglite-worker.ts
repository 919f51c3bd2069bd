/**
 * Embedded PGlite created where it cannot hold up serve's thread (started by pglite-history.ts, `createApart`):
 * - as a worker thread, an in-memory database (DATA_DIR=memory), created anew each start: creating one runs for
 *   seconds in stretches that do not yield, and here they block only this thread;
 * - as a process, on a first run with a directory (`--create <dataDir>`, see create below), which creates the
 *   database there and exits; serve then opens the directory on its own thread.
 *
 * Protocol over the parent port: first `{ type: 'open' }` or `{ type: 'open-error', message }`; then one answer per
 * request `{ id, op: 'query' | 'exec' | 'close', text?, params? }`: `{ id, rows }` or `{ id, error: { message, code } }`
 * (the SQLSTATE `code` kept, so the history writer can tell a refused write from a lost database).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPgliteSql } from './pglite-history.ts';
import { causeMessage } from './redact.ts';
import type { SqlPort } from './sql-port.ts';

type Request = { id: number; op: 'query' | 'exec' | 'close'; text?: string; params?: unknown[] };

function errorData(error: unknown): { message: string; code?: string } {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

async function serve(port: NonNullable<typeof parentPort>, dataDir: string): Promise<void> {
  let sql: SqlPort;
  try {
    sql = await openPgliteSql({ dataDir });
  } catch (error) {
    port.postMessage({ type: 'open-error', message: error instanceof Error ? error.message : causeMessage(error) });
    return;
  }
  port.postMessage({ type: 'open' });
  // One request at a time, in order, as PGlite itself would run them.
  let queue = Promise.resolve();
  port.on('message', (request: Request) => {
    queue = queue.then(async () => {
      try {
        if (request.op === 'query') {
          const { rows } = await sql.query(request.text ?? '', request.params);
          port.postMessage({ id: request.id, rows });
        } else if (request.op === 'exec') {
          await sql.exec(request.text ?? '');
          port.postMessage({ id: request.id, rows: [] });
        } else {
          await sql.close();
          port.postMessage({ id: request.id, rows: [] });
          port.close();
        }
      } catch (error) {
        port.postMessage({ id: request.id, error: errorData(error) });
      }
    });
  });
}

/**
 * Run as a process (`node pglite-worker.js --create <dataDir>`): create the database there, then exit. Its stdin
 * is a pipe from serve: it ends when serve does, however serve ended (SIGKILL too), and then this process must not
 * go on writing a data directory the next serve may already be opening. PGlite does not yield while it creates the
 * database, so that is seen at its next yield, up to about 3 s later (measured), where the worker thread this
 * replaced went at once with serve's process.
 */
async function create(dataDir: string): Promise<void> {
  process.stdin.once('end', () => process.exit(1)).resume();
  try {
    await (await openPgliteSql({ dataDir })).close();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : causeMessage(error)}\n`);
    process.exitCode = 1;
  }
  process.stdin.destroy();
}

if (parentPort) void serve(parentPort, (workerData as { dataDir: string }).dataDir);
else if (process.argv[2] === '--create' && process.argv[3] !== undefined) void create(process.argv[3]);
