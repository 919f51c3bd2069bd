/**
 * `serve --record <dir>` end to end: the bin spawned with embedded stores, calls played with simulate, serve
 * stopped; each call is one scenario file (written when the call ends, or at shutdown for one still open), named
 * after the time and a hash of the CallSid, with no phone number or name unless --record-pii; the files replay green
 * with `test` against a fresh server; a file that cannot be written is logged and serve goes on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { pollUntil } from '../support/services.ts';
import { baseEnv, runBin, startServe } from '../support/spawn.ts';

const NAME = 'Meera Iyer';
const PHONE = '9812312345';
const AGENT = '+917417119014';
const env = baseEnv({ REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: '', WEBHOOK_KEY: '' });

let cwd: string;
before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-serve-record-'));
});
after(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const files = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();

async function simulate(url: string, digits: string) {
  const played = await runBin(['simulate', url, '--digits', digits, '--name', NAME, '--phone', PHONE], { env, cwd });
  assert.equal(played.code, 0, played.stdout + played.stderr);
}

/** Three calls: no input then 2 (ends with Hangup), 1 (ends with the Dial), and one left open at the menu. */
async function recordCalls(dir: string, extra: string[]): Promise<{ names: string[]; stderr: string }> {
  const serve = await startServe(['--record', dir, ...extra, '--data-dir', 'memory', '--agent-number', AGENT], {
    env,
    cwd,
  });
  const webhook = `${serve.url}/passthru-handler`;
  try {
    await simulate(webhook, ',2');
    await simulate(webhook, '1');
    // Both calls ended: their files are there before serve stops.
    await pollUntil(async () => (await files(dir)).length === 2, { timeoutMs: 5000, message: 'two recorded calls' });
    const open = await fetch(`${webhook}?CallSid=rec-open-1&CallFrom=0${PHONE}&customer_id=c9&customer_name=${NAME}`);
    assert.equal(open.status, 200);
    await open.text();
  } finally {
    assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  }
  return { names: await files(dir), stderr: serve.stderr() };
}

describe('serve --record (spawned)', () => {
  it('records each call as a scenario without phone numbers or names, which replays green', async () => {
    const dir = join(cwd, 'calls');
    const { names, stderr } = await recordCalls(dir, []);
    assert.equal(names.length, 3, stderr);
    for (const name of names) assert.match(name, /^\d{8}-\d{6}-[0-9a-f]{10}(-\d+)?\.yaml$/);
    assert.match(stderr, /recorded call [0-9a-f]{10} as /);
    assert.doesNotMatch(stderr, /9812312345/);
    const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
    for (const text of texts) {
      assert.doesNotMatch(text, /9812312345|Meera|Iyer|7417119014/);
      assert.match(text, /customer_name: Customer A/);
    }
    assert.ok(texts.some((t) => /- press: "2"/.test(t) && /- no_input: null/.test(t)));
    assert.ok(
      texts.some((t) => /- hangup: null/.test(t)),
      'the open call ends where the caller was: the menu',
    );
    const replay = await runBin(['test', '--start-server', dir], { env, cwd });
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /3 scenario\(s\): 3 passed, 0 failed/);
  });

  it('--record-pii keeps the numbers and the name, and still replays green', async () => {
    const dir = join(cwd, 'pii');
    const { names, stderr } = await recordCalls(dir, ['--record-pii']);
    assert.equal(names.length, 3, stderr);
    const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
    assert.ok(texts.every((t) => t.includes(`customer_name: ${NAME}`)));
    assert.ok(texts.every((t) => t.includes(`from: "0${PHONE}"`)));
    assert.ok(texts.some((t) => /dial: "\+917417119014"/.test(t)));
    const replay = await runCli(['test', '--start-server', dir]);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
  });

  it('logs a file it cannot write and goes on serving', async () => {
    const dir = join(cwd, 'gone');
    const serve = await startServe(['--record', dir, '--data-dir', 'memory'], { env, cwd });
    try {
      await rm(dir, { recursive: true });
      await simulate(`${serve.url}/passthru-handler`, '1');
      await pollUntil(async () => /could not record call/.test(serve.stderr()), {
        timeoutMs: 5000,
        message: 'the failed write logged',
      });
      // Embedded history opens in the background (/health is 503 "starting" until then): serve must get there.
      await pollUntil(async () => (await fetch(`${serve.url}/health`)).status === 200, {
        timeoutMs: 30_000,
        message: 'serve healthy after the failed write',
      });
    } finally {
      assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
    }
  });

  it('--record-pii without --record is a usage error', async () => {
    const result = await runCli(['serve', '--record-pii', '--port', '0', '--data-dir', 'memory']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--record-pii needs --record <dir>/);
  });
});
