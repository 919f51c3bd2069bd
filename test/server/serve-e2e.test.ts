import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { find, parseResponse } from '../support/exoml.ts';
import {
  closedPort,
  deleteRedisPrefix,
  dropSchema,
  realDatabaseUrl,
  realRedisUrl,
  uniqueName,
} from '../support/services.ts';
import { baseEnv, embeddedServeEnv, runBin, startServe } from '../support/spawn.ts';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-e2e-'));
});
after(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function call(url: string, sid: string) {
  const greet = await fetch(
    `${url}/passthru-handler?CallSid=${sid}&customer_id=e2e-${sid}&customer_name=Riddhi+Mittal&language_code=hi-IN&amount=15000`,
  );
  assert.equal(greet.status, 200);
  const action = find(parseResponse(await greet.text()), 'Gather')[0]?.attrs.action ?? '';
  const res = await fetch(action, { method: 'POST', body: new URLSearchParams({ DigitsPressed: '1' }) });
  assert.equal(res.status, 200);
  return parseResponse(await res.text());
}

describe('bin/exo-passthru.js serve (spawned)', () => {
  it('embedded defaults: serves a call, SIGTERM exits 0, PGlite history survives a restart', async () => {
    const env = baseEnv({ REDIS_URL: '', DATABASE_URL: '', DATA_DIR: '', ADMIN_TOKEN: '' });
    const first = await startServe([], { env, cwd });
    try {
      const transfer = await call(first.url, 'e2eembedded1');
      assert.equal(find(transfer, 'Dial').length, 1);
    } finally {
      assert.equal(await first.stop('SIGTERM'), 0);
    }
    assert.match(first.stderr(), /GET \/passthru-handler 200 .*CallSid=e2eembedded1/);
    assert.match(first.stderr(), /stopped/);

    const second = await startServe([], { env, cwd });
    try {
      const token = (
        await readFile(join(cwd, '.exo-passthru', `admin-token-${new URL(second.url).port}`), 'utf8')
      ).trim();
      const res = await fetch(`${second.url}/admin/calls/e2eembedded1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { call: { outcome: string }; session: unknown };
      assert.equal(body.call.outcome, 'agent_transfer', 'history kept on disk');
      assert.equal(body.session, null, 'in-memory sessions are gone after a restart');
    } finally {
      assert.equal(await second.stop('SIGINT'), 0);
    }
  });

  const redisUrl = realRedisUrl();
  const databaseUrl = realDatabaseUrl();
  if (redisUrl && databaseUrl) {
    it('real Redis + PostgreSQL from REDIS_URL / DATABASE_URL', async () => {
      const schema = uniqueName('e2e');
      const prefix = `${uniqueName('e2e')}:`;
      const env = baseEnv({
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        REDIS_PREFIX: prefix,
        ADMIN_TOKEN: 't0ken',
      });
      const serve = await startServe([], { env, cwd });
      try {
        await call(serve.url, 'e2ereal1');
        const health = await fetch(`${serve.url}/health`);
        const body = (await health.json()) as { sessions: { backend: string }; history: { backend: string } };
        assert.equal(body.sessions.backend, 'redis');
        assert.equal(body.history.backend, 'postgres');
      } finally {
        assert.equal(await serve.stop(), 0);
        await dropSchema(databaseUrl, schema);
        await deleteRedisPrefix(redisUrl, prefix);
      }
    });
  }

  it('a stopped serve removes its admin-token files, and only its own', async () => {
    const dir = join(cwd, 'token-files');
    const runtime = join(dir, 'runtime');
    await mkdir(dir, { recursive: true });
    const env = embeddedServeEnv({ XDG_RUNTIME_DIR: runtime });
    const local = join(dir, '.exo-passthru');
    const user = join(runtime, 'exo-passthru');
    // Another server's file, for a port neither of these listens on: not theirs to remove.
    await mkdir(local, { recursive: true, mode: 0o700 });
    await writeFile(join(local, 'admin-token-1'), 'someone-else\n', { mode: 0o600 });
    const first = await startServe(['--host', '127.0.0.1'], { env, cwd: dir });
    const second = await startServe(['--host', '127.0.0.1'], { env, cwd: dir }).catch(async (error: unknown) => {
      await first.stop();
      throw error;
    });
    const [a, b] = [new URL(first.url).port, new URL(second.url).port];
    const listed = async () => ({ local: (await readdir(local)).sort(), user: (await readdir(user)).sort() });
    try {
      assert.deepEqual(await listed(), {
        local: ['admin-token', 'admin-token-1', `admin-token-${a}`, `admin-token-${b}`].sort(),
        user: [`admin-token-${a}`, `admin-token-${b}`].sort(),
      });
      const secondToken = await readFile(join(local, `admin-token-${b}`), 'utf8');
      assert.equal(await first.stop('SIGTERM'), 0);
      // admin-token names the second server, which still runs: it stays, with the second one's files.
      assert.deepEqual(await listed(), {
        local: ['admin-token', 'admin-token-1', `admin-token-${b}`].sort(),
        user: [`admin-token-${b}`],
      });
      assert.equal(await readFile(join(local, 'admin-token'), 'utf8'), secondToken);
      const res = await runBin(['inspect', 'sessions', '--server', second.url], { env, cwd: dir });
      assert.equal(res.code, 0, res.stderr);
    } finally {
      await first.stop();
      assert.equal(await second.stop('SIGINT'), 0);
    }
    assert.deepEqual(await listed(), { local: ['admin-token-1'], user: [] });
    assert.equal(await readFile(join(local, 'admin-token-1'), 'utf8'), 'someone-else\n');
  });

  it('unreachable Redis → exit 3 with a one-line message and no stack trace', async () => {
    const port = await closedPort();
    const res = await runBin(['serve', '--port', '0', '--redis-url', `redis://127.0.0.1:${port}`], {
      env: baseEnv({ DATA_DIR: 'memory', DATABASE_URL: '' }),
      cwd,
    });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, /redis/i);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });

  it('--help shows examples and exit codes; a bad flag is a usage error (2); --version prints the version', async () => {
    const help = await runBin(['serve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
    assert.match(help.stdout, /Exit codes:/);
    const bad = await runBin(['serve', '--no-such-flag']);
    assert.equal(bad.code, 2);
    const badPort = await runBin(['serve', '--port', 'eighty']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /PORT must be a whole number/);
    const version = await runBin(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});
