/**
 * `--env-file` is the CLI's global option, but Node scans its whole command line for its own `--env-file` (even
 * after the script) and exits 9 with `node: nope.env: not found` before the CLI runs. The bin is run here the way
 * a user runs it, as an executable through its shebang, with the project's Node first on PATH; and `url`, which
 * the bin re-runs in a child, is covered too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, baseEnv } from '../support/spawn.ts';

async function runExecutable(args: string[], cwd: string) {
  const env = baseEnv({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` });
  const child = spawn(BIN, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

const ONE = ['--customer-id', 'C1', '--name', 'Asha', '--phone', '9876543210', '--amount', '100'];

describe('bin: --env-file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-env-file-'));
    await writeFile(join(dir, 'good.env'), 'BASE_URL=https://from-env-file.example.com\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, args] of [
    ['before the command', ['--env-file', 'nope.env', 'serve', '--port', '0']],
    ['as --env-file=…', ['--env-file=nope.env', 'serve', '--port', '0']],
    ['for url (which restarts itself in place first)', ['--env-file', 'nope.env', 'url', ...ONE]],
  ] as const) {
    it(`a missing file ${name}: the CLI's own error, exit 2`, async () => {
      const res = await runExecutable([...args], dir);
      assert.equal(res.code, 2, res.stderr);
      assert.doesNotMatch(res.stderr, /^node: /m);
      assert.match(res.stderr, /error: cannot read --env-file nope\.env/);
    });
  }

  it('an existing file is read by the CLI', async () => {
    const res = await runExecutable(['--env-file', 'good.env', 'url', ...ONE], dir);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /https:\/\/from-env-file\.example\.com\/passthru-handler\?/);
  });
});
