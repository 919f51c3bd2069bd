/** End to end: the real bin runs `serve` in one process and `simulate` in another, over HTTP. Requires `npm run build`. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baseEnv, embeddedServeEnv, runBin, startServe, type RunningServe } from '../support/spawn.ts';

const AGENT = '+919811122233';
let cwd: string;
let serve: RunningServe;
before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-sim-e2e-'));
  const env = embeddedServeEnv({
    WEBHOOK_KEY: '',
    AGENT_NUMBER: AGENT,
    EXOPHONE: '08047112233',
  });
  serve = await startServe([], { env, cwd });
});
after(async () => {
  await serve?.stop();
  await rm(cwd, { recursive: true, force: true });
});

describe('bin/exo-passthru.js simulate (spawned, against a spawned serve)', () => {
  it('--json simulate --digits 1 ends in dial <AGENT_NUMBER>', async () => {
    const env = baseEnv({ WEBHOOK_KEY: '', BASE_URL: '' });
    const res = await runBin(
      ['--json', 'simulate', `${serve.url}/passthru-handler`, '--digits', '1', '--expect', 'dial'],
      { env, cwd },
    );
    assert.equal(res.code, 0, res.stderr);
    const doc = JSON.parse(res.stdout) as {
      outcome: { kind: string; number: string };
      steps: unknown[];
      expectations: Array<{ ok: boolean }>;
    };
    assert.deepEqual([doc.outcome.kind, doc.outcome.number], ['dial', AGENT]);
    assert.equal(doc.steps.length, 2);
    assert.deepEqual(
      doc.expectations.map((e) => e.ok),
      [true],
    );
    assert.match(serve.stderr(), /POST \/gather-response 200/);
  });

  it('the transcript a user sees, and --no-input without a terminal is fine', async () => {
    const env = baseEnv({ WEBHOOK_KEY: '', BASE_URL: serve.url });
    const res = await runBin(['simulate', '--no-input', '--expect', 'hangup'], { env, cwd });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^▶ GET \/passthru-handler 200 \d+ ms\n/);
    assert.match(res.stdout, /→ no input \(timeout 10 s, --no-input\)/);
    assert.match(res.stdout, /✓ expect hangup/);
  });

  it("simulate --flavor applet walks the bundled flow against serve's applet endpoints", async () => {
    const env = baseEnv({ WEBHOOK_KEY: '', BASE_URL: '' });
    const res = await runBin(['simulate', serve.url, '--flavor', 'applet', '--digits', '1', '--expect', 'dial'], {
      env,
      cwd,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^▶ greeting \(greeting\) GET \/exotel\/greeting 200 \d+ ms\n/);
    assert.match(res.stdout, /\n {4}→ pressed 1 \(digits="1"\)\n/);
    assert.match(res.stdout, /\n {2}⑂ 200 → the "OK" branch → agent\n/);
    assert.match(
      res.stdout,
      new RegExp(`\\n {2}☎ Connect \\${AGENT} \\(simulated: answered, completed after 30 s\\)\\n`),
    );
    assert.match(res.stdout, /\n▶ StatusCallback POST \/exotel\/status-callback \(attempt 1\/3\) 200 \d+ ms\n/);
    assert.match(res.stdout, /\n✓ expect dial/);
    assert.match(serve.stderr(), /POST \/exotel\/status-callback 200/);
  });
});
