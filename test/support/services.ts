/**
 * Real Redis / PostgreSQL for tests. Suites for a real backend are registered only when its variable is set
 * (REDIS_URL, DATABASE_URL; CI sets both), and then the server MUST answer: `assertReachable` fails loudly,
 * never skips. Every test works under its own key prefix / schema (`uniqueName`) and removes it in `after()`.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

function envUrl(name: 'REDIS_URL' | 'DATABASE_URL'): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** REDIS_URL, or undefined when unset/empty (the Redis suites are then not registered). */
export function realRedisUrl(): string | undefined {
  return envUrl('REDIS_URL');
}

/** DATABASE_URL, or undefined when unset/empty (the PostgreSQL suites are then not registered). */
export function realDatabaseUrl(): string | undefined {
  return envUrl('DATABASE_URL');
}

/** `prefix_<12 hex>`: lower-case letters, digits and `_`, so it is a valid unquoted schema name and key part. */
export function uniqueName(prefix = 'exo_test'): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
    throw new Error(`uniqueName: prefix must be lower-case [a-z0-9_], got "${prefix}"`);
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withPgClient(url, (client) => client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`));
}

export type PostgresSchema = { url: string; schema: string; drop(): Promise<void> };

/** A fresh schema name on `url` (the store under test creates it); call `drop()` in `after()`. */
export function withPostgresSchema(url: string, prefix = 'exo_test'): PostgresSchema {
  const schema = uniqueName(prefix);
  return { url, schema, drop: () => dropSchema(url, schema) };
}

/** Delete every key under `prefix` (SCAN + UNLINK, never KEYS); returns how many were deleted. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteRedisPrefix: refusing an empty prefix');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    await client.quit();
  }
}

export async function assertRedisReachable(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
    await client.quit();
  } catch (error) {
    client.disconnect();
    throw new Error(`REDIS_URL is set (${url}) but Redis does not answer: ${String(lastError ?? error)}`, {
      cause: lastError ?? error,
    });
  }
}

export async function assertPostgresReachable(url: string): Promise<void> {
  try {
    await withPgClient(url, (client) => client.query('select 1'));
  } catch (error) {
    throw new Error(`DATABASE_URL is set (${url}) but PostgreSQL does not answer: ${String(error)}`, { cause: error });
  }
}

/** Fails loudly for every variable that is set but whose server does not answer; a no-op for unset ones. */
export async function assertReachable(): Promise<void> {
  const redis = realRedisUrl();
  const database = realDatabaseUrl();
  if (redis !== undefined) await assertRedisReachable(redis);
  if (database !== undefined) await assertPostgresReachable(database);
}

/** A loopback port nothing listens on (bound to 0, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  server.close();
  await once(server, 'close');
  return address.port;
}

/** Poll `check` until it returns true or the deadline passes (then throw `message`). */
export async function pollUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; message: string },
) {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${options.message} (gave up after ${options.timeoutMs} ms)`);
    await delay(options.intervalMs ?? 20);
  }
}
