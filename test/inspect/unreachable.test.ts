/** Nothing answering where inspect is pointed → exit 3, one line naming what and where, a hint naming the flags. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { closedPort } from '../support/services.ts';
import { assertOneLineError } from '../support/inspect-calls.ts';

describe('inspect: unreachable Redis / PostgreSQL / server', () => {
  let cwd: string;
  let port: number;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'exo-inspect-down-'));
    port = await closedPort();
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const cases: Array<{ name: string; args: () => string[]; env?: () => Record<string, string>; says: () => RegExp }> = [
    { name: 'Redis (--redis-url)', args: () => ['inspect', 'sessions', '--redis-url', `redis://127.0.0.1:${port}`], says: () => new RegExp(`^error: \\[exo-passthru\\] \\[redis\\] cannot connect to redis://127\\.0\\.0\\.1:${port}`) },
    { name: 'PostgreSQL (--database-url, password redacted)', args: () => ['inspect', 'calls', '--database-url', `postgres://postgres:s3cret@127.0.0.1:${port}/test`], says: () => /^error: \[exo-passthru\] \[postgres\] cannot reach postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/ },
    { name: 'Redis from REDIS_URL (inspect call)', args: () => ['inspect', 'call', 'CA1'], env: () => ({ REDIS_URL: `redis://127.0.0.1:${port}` }), says: () => /\[redis\] cannot connect/ },
    { name: 'server (--server)', args: () => ['inspect', 'sessions', '--server', `http://127.0.0.1:${port}`], says: () => new RegExp(`^error: \\[exo-passthru\\] \\[server\\] cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED$`) },
    { name: 'the default local serve (PORT)', args: () => ['inspect', 'call', 'CA1'], env: () => ({ PORT: String(port) }), says: () => new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}`) },
  ];
  for (const c of cases) {
    it(`${c.name} → exit 3, one line, hint naming --redis-url / --database-url / --server`, async () => {
      const res = await runCli(c.args(), { cwd, env: c.env?.() ?? {} });
      assert.equal(res.code, 3, res.stderr);
      assert.equal(res.stdout, '');
      assertOneLineError(res.stderr, c.says());
      const hint = res.stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? '';
      for (const flag of ['--redis-url', '--database-url', '--server']) assert.ok(hint.includes(flag), `hint names ${flag}: ${hint}`);
      assert.doesNotMatch(res.stderr, /s3cret/);
      assert.equal(res.stderr.trimEnd().split('\n').length, 2, res.stderr);
    });
  }
});
