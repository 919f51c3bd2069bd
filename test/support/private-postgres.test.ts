/**
 * The private PostgreSQL helper does what fault tests rely on: a freeze makes queries hang (not fail fast),
 * stop refuses connections, kill is a crash that the next start recovers from with the data intact, and
 * destroy leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startPrivatePostgres } from './private-postgres.ts';

async function connect(url: string, timeoutMs = 3000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // The server going away under an idle client is what these tests do; that must not be an unhandled error.
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function selectOne(url: string, timeoutMs?: number): Promise<number> {
  const client = await connect(url, timeoutMs);
  try {
    const result = await client.query<{ one: number }>('select 1 as one');
    return result.rows[0]?.one ?? -1;
  } finally {
    await client.end();
  }
}

async function connectError(url: string): Promise<NodeJS.ErrnoException> {
  const error = await selectOne(url).then(
    () => assert.fail('expected the connection to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof Error);
  return error;
}

test('private postgres: freeze hangs, stop refuses, kill recovers, destroy cleans up', async (t) => {
  const started = Date.now();
  const server = await startPrivatePostgres();
  // destroy() is idempotent, so this only matters when an assertion fails before the test's own destroy().
  t.after(() => server.destroy());
  t.diagnostic(`initdb + start took ${Date.now() - started} ms (port ${server.port})`);
  const { url } = server;

  assert.match(url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  assert.notEqual(server.port, 5432);
  assert.equal(await selectOne(url), 1);
  const firstPid = server.pid();
  assert.ok(firstPid !== undefined && firstPid > 0);

  // Frozen: an open connection's query and a new connection must both hang until the client gives up;
  // a refused connection would mean the fault test measures the wrong failure.
  const open = await connect(url, 500);
  server.freeze();
  try {
    const queryTimeout = await open.query('select 1').then(
      () => assert.fail('query on a frozen server answered'),
      (error: unknown) => error,
    );
    assert.ok(queryTimeout instanceof Error);
    assert.match(queryTimeout.message, /timeout/i);
    const connectTimeout = await selectOne(url, 500).then(
      () => assert.fail('connect to a frozen server succeeded'),
      (error: unknown) => error as NodeJS.ErrnoException,
    );
    assert.notEqual(connectTimeout.code, 'ECONNREFUSED');
    assert.match(connectTimeout.message, /timeout/i);
  } finally {
    server.thaw();
  }
  await open.end();
  assert.equal(await selectOne(url), 1);

  await server.stop();
  assert.equal(server.pid(), undefined);
  assert.equal((await connectError(url)).code, 'ECONNREFUSED');
  await server.stop(); // idempotent

  await server.start();
  assert.equal(await selectOne(url), 1);

  // Something committed before the crash must survive it: kill is a crash, not a re-init.
  const writer = await connect(url);
  await writer.query('create table survived (n int); insert into survived values (42)');
  const killedPid = server.pid();
  await server.kill();
  assert.equal(server.pid(), undefined);
  await writer.end().catch(() => {});
  assert.equal((await connectError(url)).code, 'ECONNREFUSED');

  await server.start();
  assert.notEqual(server.pid(), killedPid);
  const reader = await connect(url);
  try {
    assert.deepEqual((await reader.query<{ n: number }>('select n from survived')).rows, [{ n: 42 }]);
  } finally {
    await reader.end();
  }

  // Destroy right after a crash: the path where stale lock files and a SysV shared memory segment are left,
  // and the segment would outlive the data dir (and pile up over test runs) unless destroy removes it.
  const [, shmid] =
    readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[6]?.trim().split(/\s+/) ?? [];
  assert.match(shmid ?? '', /^\d+$/);
  await server.kill();
  await server.destroy();
  assert.equal(existsSync(server.dataDir), false);
  const segments = execFileSync('ipcs', ['-m'], { encoding: 'utf8' }).split('\n');
  assert.equal(segments.filter((line) => line.trim().split(/\s+/)[1] === shmid).length, 0);
  assert.equal(server.pid(), undefined);
  await server.destroy(); // twice is fine
  await assert.rejects(server.start(), /after destroy/);
});

test('private postgres: destroy while frozen with a hung client', async (t) => {
  const frozen = await startPrivatePostgres();
  t.after(() => frozen.destroy());
  const client = await connect(frozen.url, 500);
  frozen.freeze();
  // Hangs until destroy() thaws the backend, which may answer it just before the fast shutdown or drop it:
  // either is fine, as long as destroy() neither waits on it nor leaves it hanging.
  const pending = client.query('select 1').then(
    () => 'answered',
    () => 'failed',
  );
  await frozen.destroy();
  assert.match(await pending, /^(answered|failed)$/);
  await client.end().catch(() => {});
  assert.equal(existsSync(frozen.dataDir), false);
  assert.equal(frozen.pid(), undefined);
});
