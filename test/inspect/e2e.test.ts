/** End to end: a spawned `serve` on embedded stores, a call through it, `inspect call` spawned in the same cwd. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { embeddedServeEnv, runBin, startServe, type RunningServe } from '../support/spawn.ts';
import { makeCall } from '../support/inspect-calls.ts';

describe('bin/exo-passthru.js inspect (spawned, against a spawned serve)', () => {
  let cwd: string;
  let serve: RunningServe;
  // Both processes use the embedded stores, whatever the machine's environment holds.
  const env = embeddedServeEnv({ PORT: '' });

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'exo-inspect-e2e-'));
    serve = await startServe([], { env, cwd, healthy: true });
    await makeCall(serve.url, {
      sid: 'CAe2e1',
      customerId: 'cust_e2e',
      name: 'Riddhi Mittal',
      phone: '+917417119014',
      language: 'hi-IN',
      press: '1',
    });
  });

  after(async () => {
    if (serve) assert.equal(await serve.stop('SIGTERM'), 0);
    await rm(cwd, { recursive: true, force: true });
  });

  it('inspect call <sid> reads serve through the admin-token file serve wrote in the cwd', async () => {
    const res = await runBin(['inspect', 'call', 'CAe2e1', '--server', serve.url], { env, cwd });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, new RegExp(`^call CAe2e1 · sessions: memory · history: pglite · via ${serve.url}\n`));
    assert.match(res.stdout, /\n {2}outcome +agent_transfer\n/);
    assert.match(res.stdout, /\nevents \(2\)\n/);
    assert.match(res.stdout, /\nmismatches\n {2}none: the session and the call row agree\n$/);
    assert.doesNotMatch(res.stdout, /7417119014/);
  });

  it('--json, and exit 1 for an unknown CallSid', async () => {
    const json = await runBin(['--json', 'inspect', 'call', 'CAe2e1', '--server', serve.url], { env, cwd });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { call: { outcome: string } }).call.outcome, 'agent_transfer');
    const missing = await runBin(['inspect', 'call', 'CAnosuch', '--server', serve.url], { env, cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: no session and no call row for CallSid CAnosuch\n/);
  });

  it('without --server: the local serve at http://127.0.0.1:$PORT', async () => {
    const res = await runBin(['inspect', 'sessions'], { env: { ...env, PORT: new URL(serve.url).port }, cwd });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /CAe2e1\s+cust_e2e\s+hi\s+transferring\s+1\s+agent_transfer/);
  });
});
