/**
 * Sessions in Redis: one JSON value per call under `<prefix><CallSid>`, written with `SET … EX ttl`.
 * ioredis is imported lazily so commands that never touch Redis never load it (docs/architecture.md rule 4).
 *
 * Fail fast, because this sits on the path of a live phone call: a bounded connect timeout, no offline queue
 * (a command while Redis is down fails at once instead of waiting for a reconnect), one retry per request, and
 * a command timeout. The caller (call-service) then carries the state in the action URL instead.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { CallSession } from '../domain/call.ts';
import { AppError, UnreachableError } from '../errors.ts';
import type { SessionEntry, SessionQuery, SessionStore } from './ports.ts';
import { causeMessage, redactUrl } from './redact.ts';
import { assertTtl, decodeSession, encodeSession, selectSessions, sessionLimit } from './session-codec.ts';

export type RedisSessionStoreOptions = {
  url: string;
  prefix: string;
  /** A client to use instead of one built from `url` (its options are the caller's); the store quits it on close(). */
  client?: Redis;
  /** Bound on connecting and on each command; 2 s by default. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 2000;
const SCAN_COUNT = 1000;
const READ_BATCH = 500;

function redisClientOptions(timeoutMs = DEFAULT_TIMEOUT_MS): RedisOptions {
  // Auto-pipelining: commands issued in the same event-loop turn by concurrent requests share one write.
  return { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true };
}

/** Errors that mean "Redis is not there" rather than "Redis refused this command". */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|timed out/i.test(error.message);
}

function failure(what: string, error: unknown): AppError {
  if (isConnectionError(error)) return new UnreachableError('redis', `${what} failed: ${causeMessage(error)}`, { setting: 'redisUrl', cause: error });
  return new AppError(`${what} failed: ${causeMessage(error)}`, { code: 'E_REDIS', component: 'redis', cause: error });
}

/** SCAN MATCH is a glob: a prefix holding `*`, `?`, `[` or `\` must match itself only. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Read through a function so TypeScript does not keep a narrowing across awaits that change it. */
function statusOf(client: Redis): string {
  return client.status;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connect(client: Redis, url: string, timeoutMs: number): Promise<void> {
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  client.on('error', remember);
  try {
    if (client.status === 'wait') await withTimeout(client.connect(), timeoutMs + 500, `no answer within ${timeoutMs} ms`);
    await withTimeout(client.ping(), timeoutMs, `no answer to PING within ${timeoutMs} ms`);
  } catch (error) {
    client.disconnect();
    const cause = lastError ?? error;
    throw new UnreachableError('redis', `cannot connect to ${redactUrl(url)}: ${causeMessage(cause)}`, { setting: 'redisUrl', cause });
  } finally {
    client.off('error', remember);
  }
}

export async function openRedisSessionStore(options: RedisSessionStoreOptions): Promise<SessionStore> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client = options.client;
  if (client === undefined) {
    const { Redis: RedisClient } = await import('ioredis');
    client = new RedisClient(options.url, redisClientOptions(timeoutMs));
  }
  // ioredis reports every failed reconnect as an 'error' event; commands report their own failures, so the
  // events only need a listener (without one ioredis prints "Unhandled error event").
  client.on('error', () => {});
  await connect(client, options.url, timeoutMs);
  return createRedisSessionStore(client, options.prefix);
}

/** The store over a connected client. */
function createRedisSessionStore(client: Redis, prefix: string): SessionStore {
  const key = (callSid: string) => `${prefix}${callSid}`;

  const scanKeys = async (): Promise<string[]> => {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', SCAN_COUNT);
      for (const k of batch) keys.add(k);
      cursor = next;
    } while (cursor !== '0');
    return [...keys];
  };

  const readEntries = async (keys: readonly string[]): Promise<SessionEntry[]> => {
    const entries: SessionEntry[] = [];
    for (let start = 0; start < keys.length; start += READ_BATCH) {
      const batch = keys.slice(start, start + READ_BATCH);
      const pipeline = client.pipeline();
      for (const k of batch) pipeline.get(k).ttl(k);
      const replies = await pipeline.exec();
      if (replies === null) throw new Error('pipeline was discarded');
      batch.forEach((k, i) => {
        const [getError, text] = replies[i * 2] ?? [null, null];
        const [ttlError, ttl] = replies[i * 2 + 1] ?? [null, -2];
        if (getError) throw getError;
        if (ttlError) throw ttlError;
        const session = decodeSession(typeof text === 'string' ? text : null, k.slice(prefix.length));
        if (session === undefined || ttl === -2) return;
        entries.push({ session, ttlSeconds: typeof ttl === 'number' && ttl >= 0 ? ttl : undefined });
      });
    }
    return entries;
  };

  return {
    kind: 'redis',
    async get(callSid: string): Promise<CallSession | undefined> {
      try {
        return decodeSession(await client.get(key(callSid)), callSid);
      } catch (error) {
        throw failure(`get ${callSid}`, error);
      }
    },
    async put(session: CallSession, ttlSeconds: number): Promise<void> {
      assertTtl('redis', ttlSeconds);
      try {
        await client.set(key(session.callSid), encodeSession(session), 'EX', ttlSeconds);
      } catch (error) {
        throw failure(`put ${session.callSid}`, error);
      }
    },
    async delete(callSid: string): Promise<boolean> {
      try {
        return (await client.del(key(callSid))) > 0;
      } catch (error) {
        throw failure(`delete ${callSid}`, error);
      }
    },
    async ttl(callSid: string): Promise<number | undefined> {
      try {
        const ttl = await client.ttl(key(callSid));
        return ttl >= 0 ? ttl : undefined;
      } catch (error) {
        throw failure(`ttl ${callSid}`, error);
      }
    },
    async list(query: SessionQuery = {}): Promise<SessionEntry[]> {
      if (sessionLimit(query) === 0) return [];
      try {
        const keys = query.callSid === undefined ? await scanKeys() : [key(query.callSid)];
        return selectSessions(await readEntries(keys), query);
      } catch (error) {
        throw failure('list', error);
      }
    },
    async ping(): Promise<void> {
      try {
        const reply = await client.ping();
        if (reply !== 'PONG') throw new Error(`unexpected reply to PING: ${reply}`);
      } catch (error) {
        throw failure('ping', error);
      }
    },
    async close(): Promise<void> {
      if (statusOf(client) === 'end') return;
      if (statusOf(client) !== 'ready') {
        // Connecting or reconnecting to a Redis that is gone: nothing to flush, no socket to wait for.
        client.disconnect();
        return;
      }
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      try {
        await client.quit();
      } catch {
        client.disconnect();
        return;
      }
      // quit() resolves on Redis's OK; wait (boundedly) for the socket to close too, so a closed store holds no handle.
      if (statusOf(client) !== 'end') await withTimeout(ended, 2000, 'socket did not close').catch(() => client.disconnect());
    },
  };
}
