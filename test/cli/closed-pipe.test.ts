/**
 * A reader that goes away (`exo-passthru --help | head -c1`, `url … | true`) is how a pipe ends: the bin ends
 * quietly with the exit code the run had, never with an EPIPE stack trace. The test holds the read end of the
 * child's stdout and closes it either before the child writes anything (deterministic: its very first write
 * fails) or right after the first byte arrives (the child is still writing). Requires `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, baseEnv, startServe, type Env } from '../support/spawn.ts';

/** Close before the child writes, after its first byte, or once `{ after }` bytes have arrived. */
type Closing = 'before-start' | 'after-first-byte' | { after: number };

async function runClosing(args: readonly string[], closing: Closing, options: { cwd?: string; env?: Env } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let bytes = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (closing === 'before-start') child.stdout.destroy();
  else {
    const enough = closing === 'after-first-byte' ? 1 : closing.after;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes < enough) return;
      child.stdout.off('data', onData);
      child.stdout.destroy();
    };
    child.stdout.on('data', onData);
  }
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr, bytes };
}

function assertQuiet(stderr: string): void {
  assert.doesNotMatch(stderr, /EPIPE/, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /, stderr);
  assert.doesNotMatch(stderr, /Unhandled 'error' event/, stderr);
}

let dir: string;
let customersCsv: string;
const files: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-closed-pipe-'));
  customersCsv = join(dir, 'customers.csv');
  let csv = 'customer_id,name,phone,state\n';
  for (let i = 0; i < 40_000; i++) csv += `C${i},नाम ${i},${9_000_000_000 + i},Tamil Nadu\n`;
  await writeFile(customersCsv, csv);
  const valid = fileURLToPath(new URL('../../fixtures/exoml/valid/tamil-menu.xml', import.meta.url));
  const invalid = fileURLToPath(new URL('../../fixtures/exoml/invalid/EXO201-unknown-attribute.xml', import.meta.url));
  for (let i = 0; i < 300; i++) {
    const file = join(dir, `doc-${String(i).padStart(3, '0')}.xml`);
    await copyFile(i % 2 === 0 ? valid : invalid, file);
    files.push(file);
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bin: stdout closed by the reader', { timeout: 60_000 }, () => {
  const helps = [
    ['--help'],
    ['serve', '--help'],
    ['validate', '--help'],
    ['url', '--help'],
    ['inspect', 'calls', '--help'],
  ];
  for (const args of helps) {
    it(`${args.join(' ')} | true → exit 0, no stack trace`, async () => {
      const res = await runClosing(args, 'before-start');
      assert.equal(res.code, 0, res.stderr);
      assertQuiet(res.stderr);
    });
  }

  it('url <one customer> | true → exit 0, no stack trace (url restarts itself in place first)', async () => {
    const res = await runClosing(
      ['url', '--customer-id', 'C1', '--name', 'Asha', '--phone', '9876543210', '--base-url', 'https://b.example'],
      'before-start',
    );
    assert.equal(res.code, 0, res.stderr);
    assertQuiet(res.stderr);
  });

  it('url --csv <40,000 rows> | head -c 12M → exit 0, no stack trace, with rows on the format worker when it closes', async () => {
    // Past 20,000 accepted rows (about 9 MB of csv) rows are formatted on a worker thread (customers/format-lane.ts).
    const res = await runClosing(['url', '--csv', customersCsv, '--allow-rejects'], { after: 12 * 1024 * 1024 });
    assert.ok(res.bytes >= 12 * 1024 * 1024, `${res.bytes} bytes`);
    assert.equal(res.code, 0, res.stderr);
    assertQuiet(res.stderr);
  });

  it('validate <300 files> | head -c1 → the exit code of the run (1: half are invalid), no stack trace', async () => {
    const res = await runClosing(['validate', ...files], 'after-first-byte');
    assert.ok(res.bytes > 0);
    assert.equal(res.code, 1, res.stderr);
    assertQuiet(res.stderr);
  });

  it('--help > /dev/full (ENOSPC, not a closed pipe) → exit 1 and one line naming stdout, no stack trace', async () => {
    const full = await open('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, '--help'], { env: baseEnv(), stdio: ['ignore', full.fd, 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 1, stderr);
      assert.equal(stderr, 'error: cannot write to stdout: ENOSPC: no space left on device, write\n');
    } finally {
      await full.close();
    }
  });

  it('inspect calls --watch | head -c1 → stops watching and exits 0', async () => {
    const env = baseEnv({ REDIS_URL: '', DATABASE_URL: '', DATA_DIR: '', ADMIN_TOKEN: 'closed-pipe-token' });
    const serve = await startServe([], { env, cwd: dir, healthy: true });
    try {
      const res = await runClosing(
        ['inspect', 'calls', '--watch', '--server', serve.url, '--admin-token', 'closed-pipe-token'],
        'after-first-byte',
        { env },
      );
      assert.equal(res.code, 0, res.stderr);
      assertQuiet(res.stderr);
    } finally {
      await serve.stop();
    }
  });
});
