import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { describeError } from '../../src/cli/errors.ts';
import { EXIT, UnreachableError } from '../../src/errors.ts';
import { createMemorySessionStore } from '../../src/stores/memory-sessions.ts';
import { globEscape, openRedisSessionStore } from '../../src/stores/redis-sessions.ts';
import { decodeSession, encodeSession } from '../../src/stores/session-codec.ts';
import { assertRedisReachable, closedPort, deleteRedisPrefix, realRedisUrl, uniqueName } from '../support/services.ts';
import { startFakeRedis } from '../support/fake-redis.ts';
import { sampleSession, sessionStoreContract, type SessionFixture } from './session-store.contract.ts';

function memoryFixture(): Promise<SessionFixture> {
  let now = Date.parse('2025-01-15T10:00:00.000Z');
  const clock = () => now;
  const store = createMemorySessionStore({ now: clock });
  return Promise.resolve({
    store,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
    openNeighbour: async () => createMemorySessionStore({ now: clock }),
    dispose: () => store.close(),
  });
}

sessionStoreContract('memory', memoryFixture);

describe('memory sessions', () => {
  it('expires exactly at put time + TTL by the injected clock, and rounds the remaining TTL up', async () => {
    let now = 1_000_000;
    const store = createMemorySessionStore({ now: () => now });
    await store.put(sampleSession('CA-1'), 10);
    now += 9_001;
    assert.equal(await store.ttl('CA-1'), 1);
    assert.ok(await store.get('CA-1'));
    now += 999;
    assert.equal(await store.get('CA-1'), undefined);
    assert.equal(await store.ttl('CA-1'), undefined);
  });

  it('keeps its own copy: mutating a session after put() does not change what get() returns', async () => {
    const store = createMemorySessionStore();
    const session = sampleSession('CA-2', { customer: { customer_id: 'C-1', customer_name: 'Asha' } });
    await store.put(session, 60);
    session.state = 'ended';
    if (session.customer) session.customer.customer_name = 'changed';
    const stored = await store.get('CA-2');
    assert.equal(stored?.state, 'greeted');
    assert.equal(stored?.customer?.customer_name, 'Asha');
    assert.notEqual(stored, await store.get('CA-2'), 'each get() returns a fresh object');
  });
});

describe('session codec (shared by memory and Redis)', () => {
  it('decodes what it encodes', () => {
    const session = sampleSession('CA-1', { customer: { customer_id: 'C-1', customer_name: 'அருண் "A"' }, outcome: 'declined' });
    assert.deepEqual(decodeSession(encodeSession(session), 'CA-1'), session);
  });

  it('reads corrupted, foreign or mis-keyed values as absent', () => {
    const valid = sampleSession('CA-1');
    const cases: Array<[string, string | null]> = [
      ['missing', null],
      ['not JSON', '{"callSid":'],
      ['JSON null', 'null'],
      ['an array', '[]'],
      ['a string', '"CA-1"'],
      ['another CallSid', encodeSession(sampleSession('CA-2'))],
      ['no state', JSON.stringify({ ...valid, state: undefined })],
      ['attempts as text', JSON.stringify({ ...valid, attempts: '1' })],
      ['customer without id', JSON.stringify({ ...valid, customer: { customer_name: 'x' } })],
    ];
    for (const [label, text] of cases) assert.equal(decodeSession(text, 'CA-1'), undefined, label);
  });

  it('escapes glob characters so a SCAN MATCH prefix matches only itself', () => {
    assert.equal(globEscape('app:[a]*?\\:'), 'app:\\[a\\]\\*\\?\\\\:');
    assert.equal(globEscape('exo-passthru:session:'), 'exo-passthru:session:');
  });
});

describe('redis sessions: unreachable server', () => {
  it('rejects with UnreachableError (exit code 3) within a few seconds when nothing listens', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(openRedisSessionStore({ url: `redis://:s3cret@127.0.0.1:${port}`, prefix: 'never:' }), (error: unknown) => {
      assert.ok(error instanceof UnreachableError, String(error));
      assert.equal(error.exitCode, EXIT.unreachable);
      assert.equal(error.dependency, 'redis');
      assert.match(describeError(error).message, /^\[exo-passthru\] \[redis\] cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
      assert.doesNotMatch(error.message, /s3cret/);
      assert.match(describeError(error).hint ?? '', /REDIS_URL/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});

describe('redis sessions: Redis goes away after connecting (fake RESP server)', () => {
  it('fails fast with UnreachableError instead of queueing, and close() still resolves', async () => {
    const fake = await startFakeRedis();
    const store = await openRedisSessionStore({ url: fake.url, prefix: 'fake:' });
    await store.ping();
    await fake.stop();
    const started = Date.now();
    for (const op of [() => store.get('CA-x'), () => store.put(sampleSession('CA-x'), 5), () => store.list(), () => store.ping()]) {
      await assert.rejects(op(), (error: unknown) => error instanceof UnreachableError && error.exitCode === EXIT.unreachable);
    }
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await store.close();
    await store.close();
  });
});

const redisUrl = realRedisUrl();
if (redisUrl !== undefined) {
  const url = redisUrl;

  async function redisFixture(prefix = `exo-test:${uniqueName('sess')}:`): Promise<SessionFixture> {
    const store = await openRedisSessionStore({ url, prefix });
    const raw = new Redis(url, { lazyConnect: true });
    return {
      store,
      // Real time: the contract polls with a deadline until Redis has expired the key.
      advance: () => {},
      openNeighbour: () => openRedisSessionStore({ url, prefix: `${prefix}nested:` }),
      putRaw: async (callSid: string, text: string) => {
        await raw.set(`${prefix}${callSid}`, text, 'EX', 60);
      },
      dispose: async () => {
        await store.close();
        raw.disconnect();
        await deleteRedisPrefix(url, prefix);
      },
    };
  }

  describe('redis backend (REDIS_URL)', () => {
    before(() => assertRedisReachable(url));

    sessionStoreContract('redis', () => redisFixture(), { foreignWrites: true });
    sessionStoreContract('redis, prefix with glob characters', () => redisFixture(`exo-test:${uniqueName('glob')}:[a-z]*?\\:`), {
      foreignWrites: true,
    });

    it('writes one JSON value per call under <prefix><CallSid> with SET … EX', async (t) => {
      const raw = new Redis(url);
      t.after(() => raw.quit());
      const prefix = `exo-test:${uniqueName('wire')}:`;
      const store = await openRedisSessionStore({ url, prefix });
      t.after(async () => {
        await store.close();
        await deleteRedisPrefix(url, prefix);
      });
      const session = sampleSession('CA-wire', { customer: { customer_id: 'C-9', customer_name: 'ரமேஷ்' } });
      await store.put(session, 90);
      assert.deepEqual(JSON.parse((await raw.get(`${prefix}CA-wire`)) ?? 'null'), session);
      const ttl = await raw.ttl(`${prefix}CA-wire`);
      assert.ok(ttl >= 89 && ttl <= 90, `ttl ${ttl}`);
      assert.equal(await raw.exists(`${prefix}CA-wire`), 1);
    });

    it('uses an injected client and quits it on close()', async (t) => {
      const prefix = `exo-test:${uniqueName('inj')}:`;
      t.after(() => deleteRedisPrefix(url, prefix));
      const client = new Redis(url, { lazyConnect: true });
      const store = await openRedisSessionStore({ url, prefix, client });
      await store.put(sampleSession('CA-inj'), 30);
      assert.equal(JSON.parse((await client.get(`${prefix}CA-inj`)) ?? '{}').callSid, 'CA-inj');
      await store.close();
      assert.equal(client.status, 'end');
    });

    it('fails fast with UnreachableError when the connection is gone, instead of queueing', async (t) => {
      const prefix = `exo-test:${uniqueName('gone')}:`;
      const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      const store = await openRedisSessionStore({ url, prefix, client });
      t.after(() => store.close());
      client.disconnect();
      const started = Date.now();
      for (const op of [() => store.get('CA-x'), () => store.put(sampleSession('CA-x'), 5), () => store.list(), () => store.ping()]) {
        await assert.rejects(op(), (error: unknown) => error instanceof UnreachableError && error.exitCode === EXIT.unreachable);
      }
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    });
  });
}
