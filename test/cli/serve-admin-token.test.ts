/**
 * serve writes its generated admin token to `.exo-passthru/admin-token` for inspect: readable by its owner only
 * whatever was there before, and never through a symlink planted at that path. serve runs in-process.
 */
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliUntil } from '../support/cli.ts';

const ENV = { DATA_DIR: 'memory', REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: '', WEBHOOK_KEY: '' };
/** Where serve also leaves a per-user copy of the token: kept inside the test's own directory. */
let userDirs: Record<string, string> = {};

/**
 * Run serve until it prints its URL, run `check` while it listens, then stop it; the token file is written
 * before the URL is printed, and removed when serve stops.
 */
async function serveOnce(cwd: string, check: () => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const res = await runCliUntil(['--json', 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd,
    env: { ...ENV, ...userDirs, ...env },
    until: (out) => out.includes('"url"'),
    whileRunning: check,
    // PGlite on disk can take a while to start on a loaded machine; a SIGINT sent before serve listens is lost.
    timeoutMs: 60_000,
  });
  assert.equal(res.code, 0, res.stderr);
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('serve: the admin-token file', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'exo-admin-token-'));
    userDirs = { XDG_RUNTIME_DIR: join(root, 'runtime'), HOME: join(root, 'home') };
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the directory 0700 and the file 0600', async () => {
    const cwd = join(root, 'fresh');
    await mkdir(cwd);
    await serveOnce(cwd, async () => {
      assert.equal(await mode(join(cwd, '.exo-passthru')), 0o700);
      assert.equal(await mode(join(cwd, '.exo-passthru', 'admin-token')), 0o600);
      assert.match(await readFile(join(cwd, '.exo-passthru', 'admin-token'), 'utf8'), /^[A-Za-z0-9_-]{20,}\n$/);
    });
  });

  it('with the default DATA_DIR (PGlite inside .exo-passthru) the directory is still 0700', async () => {
    const cwd = join(root, 'pglite');
    await mkdir(cwd);
    await serveOnce(
      cwd,
      async () => {
        assert.equal(await mode(join(cwd, '.exo-passthru')), 0o700);
        assert.equal(await mode(join(cwd, '.exo-passthru', 'admin-token')), 0o600);
      },
      { DATA_DIR: '' },
    );
  });

  it('an existing 0644 file ends up 0600 with the new token', async () => {
    const cwd = join(root, 'loose');
    await mkdir(join(cwd, '.exo-passthru'), { recursive: true });
    const file = join(cwd, '.exo-passthru', 'admin-token');
    await writeFile(file, 'old-token\n');
    await chmod(file, 0o644);
    await serveOnce(cwd, async () => {
      assert.equal(await mode(file), 0o600);
      assert.notEqual(await readFile(file, 'utf8'), 'old-token\n');
    });
    const left = (await readdir(join(cwd, '.exo-passthru'))).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(left, [], 'no temporary file left behind');
  });

  it('a symlink at the path is replaced, its target left alone', async () => {
    const cwd = join(root, 'linked');
    await mkdir(join(cwd, '.exo-passthru'), { recursive: true });
    const victim = join(root, 'victim.txt');
    await writeFile(victim, 'precious\n');
    await chmod(victim, 0o644);
    const file = join(cwd, '.exo-passthru', 'admin-token');
    await symlink(victim, file);
    await serveOnce(cwd, async () => {
      assert.equal(await readFile(victim, 'utf8'), 'precious\n');
      assert.equal(await mode(victim), 0o644);
      const link = await lstat(file);
      assert.ok(link.isFile() && !link.isSymbolicLink(), 'a regular file now');
      assert.equal(link.mode & 0o777, 0o600);
    });
    assert.equal(await readFile(victim, 'utf8'), 'precious\n', 'still, once serve removed its token file');
  });
});
