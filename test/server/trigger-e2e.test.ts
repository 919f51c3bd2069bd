/**
 * `trigger call` end to end: the real bin posts Exotel's Calls/connect form to a spawned `serve --mock-exotel-api`,
 * prints the {"Call": …} answer; the mock walks its flow (a `--flow` file here) and the StatusCallback gives the
 * call its final status, which a spawned `inspect call` then shows. Requires `npm run build`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort, pollUntil } from '../support/services.ts';
import { embeddedServeEnv, runBin, startServe, type RunningServe } from '../support/spawn.ts';

let cwd: string;
let serve: RunningServe;
const env = embeddedServeEnv({
  WEBHOOK_KEY: '',
  BASE_URL: '',
  EXOPHONE: '08047112233',
});

before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-trigger-e2e-'));
  // The bundled flow without its Gather: greeting, then a Passthru that answers 302 (no digits) → hangup.
  await writeFile(
    join(cwd, 'short.yaml'),
    [
      'name: short',
      'applets:',
      '  hello: { type: greeting, url: /exotel/greeting, next: decide }',
      '  decide: { type: passthru, url: /exotel/passthru, on_ok: bye, on_else: bye }',
      '  bye: { type: hangup }',
      '',
    ].join('\n'),
  );
  serve = await startServe(['--mock-exotel-api', '--flow', 'short.yaml'], { env, cwd });
});
after(async () => {
  await serve?.stop();
  await rm(cwd, { recursive: true, force: true });
});

describe('bin/exo-passthru.js trigger call (spawned, against a spawned serve --mock-exotel-api)', () => {
  it('prints the Call JSON; the call walks the --flow file and gets its final status', async () => {
    const res = await runBin(
      [
        '--json',
        'trigger',
        'call',
        '--from',
        '09812345678',
        '--custom-field',
        '{"customer_id":"trig_1","language_code":"hi"}',
        '--status-callback',
        `${serve.url}/exotel/status-callback`,
        '--server',
        serve.url,
      ],
      { env, cwd },
    );
    assert.equal(res.code, 0, res.stderr);
    const call = (JSON.parse(res.stdout) as { Call: { Sid: string; Status: string; From: string; To: string } }).Call;
    assert.match(call.Sid, /^[0-9a-f]{32}$/);
    assert.deepEqual([call.Status, call.From, call.To], ['in-progress', '09812345678', '08047112233']);
    await pollUntil(
      async () => /mock Calls API: \w+ walked flow "short" \(hello → decide → bye\)/.test(serve.stderr()),
      {
        timeoutMs: 10_000,
        message: `the mock never walked the flow:\n${serve.stderr()}`,
      },
    );
    let shown = '';
    await pollUntil(
      async () => {
        const inspect = await runBin(['inspect', 'call', call.Sid, '--server', serve.url], { env, cwd });
        shown = inspect.stdout;
        return / {2}final status +completed\n/.test(shown);
      },
      { timeoutMs: 10_000, message: 'inspect call never showed the final status' },
    );
    assert.match(shown, / {2}customer +trig_1\n/);
    assert.match(serve.stderr(), /GET \/exotel\/greeting 200 .*CallSid=/);
  });

  it('text output, a refused call (exit 1) and no server (exit 3)', async () => {
    const text = await runBin(['trigger', 'call', '--from', '09812345678', '--server', serve.url], { env, cwd });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^call [0-9a-f]{32} in-progress\n\{\n {2}"Call": \{/);
    assert.match(text.stderr, /follow it: exo-passthru inspect call [0-9a-f]{32}/);
    const refused = await runBin(
      ['trigger', 'call', '--from', '09812345678', '--server', serve.url, '--flow-url', `${serve.url}/exotel/passthru`],
      { env, cwd },
    );
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^error: the Calls API refused the call: HTTP 400: Url must be an Exotel flow URL, not your passthru$/m,
    );
    const down = await runBin(
      ['trigger', 'call', '--from', '09812345678', '--server', `http://127.0.0.1:${await closedPort()}`],
      {
        env,
        cwd,
      },
    );
    assert.equal(down.code, 3, down.stderr);
    const usage = await runBin(['trigger', 'call', '--from', 'not-a-phone', '--server', serve.url], { env, cwd });
    assert.equal(usage.code, 2, usage.stderr);
  });

  it('serve --flow with a malformed flow file, or --mock-digits misused, exits 2 before listening', async () => {
    await writeFile(join(cwd, 'bad.yaml'), 'applets:\n  a: { type: greeting, url: /g, nxt: b }\n');
    const res = await runBin(['serve', '--port', '0', '--mock-exotel-api', '--flow', 'bad.yaml'], { env, cwd });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error: bad\.yaml:2:\d+: unknown key "nxt" in applet "a" \(type greeting\)/m);
    const alone = await runBin(['serve', '--port', '0', '--mock-digits', '1'], { env, cwd });
    assert.equal(alone.code, 2, alone.stderr);
    assert.match(alone.stderr, /^error: --mock-digits is for the mock Calls API: add --mock-exotel-api$/m);
    const keys = await runBin(['serve', '--port', '0', '--mock-exotel-api', '--mock-digits', '1x'], { env, cwd });
    assert.equal(keys.code, 2, keys.stderr);
  });
});
