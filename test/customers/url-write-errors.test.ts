/**
 * `url` output files: a failed write (full disk, file size limit) ends the run with exit 1 and a message naming
 * the file and the OS error, and never leaves a truncated file under the target name — rows go to a temporary
 * file beside the target, renamed over it only once everything was written. /dev/full (Linux) fails every write
 * with ENOSPC; `ulimit -f` makes a real temp dir fail with EFBIG.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/context.ts';
import { run } from '../../src/cli/program.ts';
import { runCli } from '../support/cli.ts';
import { BIN, baseEnv } from '../support/spawn.ts';

const HEADER = 'customer_id,name,phone,amount,state';
const rows = (count: number, phone = (i: number) => `98765${String(i).padStart(5, '0')}`) =>
  Array.from({ length: count }, (_, i) => `C${i},Name ${i},${phone(i)},100,UP`);
const csvOf = (lines: readonly string[]) => `${[HEADER, ...lines].join('\n')}\n`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-url-write-'));
  await writeFile(join(dir, 'big.csv'), csvOf(rows(1000)));
  await writeFile(join(dir, 'small.csv'), csvOf(rows(3)));
  // Every row rejected (invalid phone): the rejects file gets as many lines as the input.
  await writeFile(join(dir, 'bad.csv'), csvOf(rows(1000, () => '12345')));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh directory holding only the input, so leftovers (temporary files) show up in a listing. */
async function workdir(input: string): Promise<string> {
  const work = await mkdtemp(join(dir, 'run-'));
  await writeFile(join(work, 'in.csv'), await readFile(join(dir, input)));
  return work;
}

describe('url: write errors end the run', () => {
  for (const input of ['big.csv', 'small.csv']) {
    it(`--out /dev/full (${input}): exit 1, the file and ENOSPC named`, async () => {
      const res = await runCli(['url', '--csv', input, '--out', '/dev/full'], { cwd: dir });
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, /error: cannot write --out \/dev\/full: .*ENOSPC/);
    });
  }

  it('--rejects /dev/full: exit 1, named; the --out target is left untouched', async () => {
    const work = await workdir('bad.csv');
    await writeFile(join(work, 'out.csv'), 'old\n');
    const res = await runCli(['url', '--csv', 'in.csv', '--out', 'out.csv', '--rejects', '/dev/full'], { cwd: work });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /error: cannot write --rejects \/dev\/full: .*ENOSPC/);
    assert.equal(await readFile(join(work, 'out.csv'), 'utf8'), 'old\n');
    assert.deepEqual((await readdir(work)).sort(), ['in.csv', 'out.csv']);
  });

  it('one customer with --out /dev/full: exit 1, named', async () => {
    const res = await runCli(
      ['url', '--customer-id', 'C1', '--name', 'A', '--phone', '9876543210', '--out', '/dev/full'],
      { cwd: dir },
    );
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /error: cannot write --out \/dev\/full: .*ENOSPC/);
  });
});

describe('url: output files are replaced whole', () => {
  it('a successful run replaces the target and leaves no temporary file', async () => {
    const work = await workdir('bad.csv');
    await writeFile(join(work, 'out.csv'), 'old\n');
    const res = await runCli(['url', '--csv', 'in.csv', '--out', 'out.csv', '--rejects', 'rejects.csv'], { cwd: work });
    assert.equal(res.code, 1, res.stderr);
    assert.equal((await readFile(join(work, 'out.csv'), 'utf8')).split('\n')[0]?.startsWith('customer_id,'), true);
    assert.equal((await readFile(join(work, 'rejects.csv'), 'utf8')).trim().split('\n').length, 1001);
    assert.deepEqual((await readdir(work)).sort(), ['in.csv', 'out.csv', 'rejects.csv']);
  });

  it('--rejects that cannot be opened: exit 2, the --out target untouched, no temporary file', async () => {
    const work = await workdir('bad.csv');
    await writeFile(join(work, 'out.csv'), 'old\n');
    const res = await runCli(['url', '--csv', 'in.csv', '--out', 'out.csv', '--rejects', 'no-such-dir/rejects.csv'], {
      cwd: work,
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /cannot write --rejects no-such-dir\/rejects\.csv: no such file or directory/);
    assert.equal(await readFile(join(work, 'out.csv'), 'utf8'), 'old\n');
    assert.deepEqual((await readdir(work)).sort(), ['in.csv', 'out.csv']);
  });

  it('a run interrupted half-way (SIGINT) leaves the --out target untouched and no temporary file', async () => {
    const work = await workdir('small.csv');
    await writeFile(join(work, 'out.csv'), 'old\n');
    const stdin = new PassThrough();
    let interrupt: (signal: string) => void = () => {};
    const io: CliIO = {
      env: { NO_COLOR: '1' },
      cwd: work,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin,
      onSignal: (handler) => {
        interrupt = handler;
        return () => {};
      },
    };
    let stderr = '';
    io.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const running = run(['node', 'exo-passthru', 'url', '--csv', '-', '--out', 'out.csv'], io);
    stdin.write(csvOf(rows(500)));
    // Rows reach the temporary file once its sink is part of the run (not merely opened): the run is under way.
    const deadline = Date.now() + 10_000;
    const writing = async () => {
      const temp = (await readdir(work)).find((name) => name.endsWith('.tmp'));
      return temp !== undefined && ((await stat(join(work, temp)).catch(() => undefined))?.size ?? 0) > 0;
    };
    while (!(await writing())) {
      assert.ok(Date.now() < deadline, 'the run started writing');
      await new Promise((resolve) => setImmediate(resolve));
    }
    interrupt('SIGINT');
    assert.equal(await running, 1, stderr);
    assert.match(stderr, /interrupted by SIGINT; out\.csv was left as it was/);
    assert.equal(await readFile(join(work, 'out.csv'), 'utf8'), 'old\n');
    assert.deepEqual((await readdir(work)).sort(), ['in.csv', 'out.csv']);
  });

  it('bin: a write that fails half-way (ulimit -f, EFBIG) leaves the target untouched and no temporary file', async () => {
    const work = await workdir('big.csv');
    await writeFile(join(work, 'out.csv'), 'old\n');
    // 64 blocks of 512 bytes: the 1000 rows' output (~300 KB) is cut off far into the file, after many writes.
    const child = spawn(
      'sh',
      ['-c', 'ulimit -f 64; exec "$0" "$@"', process.execPath, BIN, 'url', '--csv', 'in.csv', '--out', 'out.csv'],
      {
        cwd: work,
        env: baseEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 1, stderr);
    assert.match(stderr, /error: cannot write --out out\.csv: .*EFBIG/);
    assert.doesNotMatch(stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.equal(await readFile(join(work, 'out.csv'), 'utf8'), 'old\n');
    assert.deepEqual((await readdir(work)).sort(), ['in.csv', 'out.csv']);
  });
});
