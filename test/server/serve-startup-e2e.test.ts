/**
 * Embedded serve listens before PGlite is open (src/stores/deferred-history.ts, pglite-history.ts): "starting…"
 * first, webhooks answered while PGlite opens (their history spooled, then replayed), /health 503 "starting"
 * meanwhile, and reads that wait until the replay is done — also on a second run whose spool holds what the first
 * run took before it stopped (the race that made an earlier attempt read a stored call as 404).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCall } from '../support/inspect-calls.ts';
import { baseEnv, type RunningServe, startServe } from '../support/spawn.ts';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-startup-'));
});
after(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const env = baseEnv({ REDIS_URL: '', DATABASE_URL: '', DATA_DIR: '', SPOOL_DIR: '', ADMIN_TOKEN: '', PORT: '' });

async function admin(serve: RunningServe, path: string): Promise<Response> {
  const port = new URL(serve.url).port;
  const token = (await readFile(join(cwd, '.exo-passthru', `admin-token-${port}`), 'utf8')).trim();
  return fetch(`${serve.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

const plan = (sid: string) =>
  ({ sid, customerId: `cust-${sid}`, name: 'Asha Rao', phone: '09876543210', language: 'en-IN', press: '1' }) as const;

describe('serve on embedded stores: start-up', () => {
  it('a first run listens while PGlite creates its database; a call taken meanwhile is stored once it opens', async () => {
    const serve = await startServe([], { env, cwd });
    try {
      // PGlite creating a database takes seconds; the server answered before it had.
      const health = await fetch(`${serve.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { status: string }).status, 'starting');
      await makeCall(serve.url, plan('CAfirst1'));
      assert.doesNotMatch(serve.stderr(), /PGlite open/, 'the call was answered before PGlite was open');
      assert.match(serve.stderr(), /^exo-passthru serve starting…\n/);
      // Reads wait for PGlite and the replay of the spool: the first read already sees the call.
      const res = await admin(serve, '/admin/calls/CAfirst1');
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { call: { outcome: string } }).call.outcome, 'agent_transfer');
      assert.match(serve.stderr(), /history: PGlite open \(\d+ ms after start\)/);
      const ok = await fetch(`${serve.url}/health`);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { status: string }).status, 'ok');
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });

  it('calls a run took and left in the spool when it stopped are in the next run’s first read', async () => {
    // Stopped at once: PGlite is still opening, so the calls are only in the spool when this run ends.
    const first = await startServe([], { env, cwd });
    try {
      await makeCall(first.url, plan('CAspool1'));
      await makeCall(first.url, plan('CAspool2'));
    } finally {
      assert.equal(await first.stop(), 0, first.stderr());
    }
    // Checked, so that this test cannot pass without testing the replay: had PGlite opened first, the calls would
    // have been committed directly.
    const beforeStop = first.stderr().split(/^SIGTERM/m)[0] ?? '';
    assert.doesNotMatch(beforeStop, /PGlite open/, 'the first run stopped before PGlite was open');

    const second = await startServe([], { env, cwd });
    try {
      const list = await admin(second, '/admin/calls');
      assert.equal(list.status, 200);
      const sids = ((await list.json()) as { calls: Array<{ call_sid: string }> }).calls.map((c) => c.call_sid);
      for (const sid of ['CAfirst1', 'CAspool1', 'CAspool2']) assert.ok(sids.includes(sid), `${sid} in ${sids}`);
      const one = await admin(second, '/admin/calls/CAspool2');
      assert.equal(((await one.json()) as { call: { outcome: string } }).call.outcome, 'agent_transfer');
    } finally {
      assert.equal(await second.stop(), 0, second.stderr());
    }
  });
});
