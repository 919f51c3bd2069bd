/**
 * One admin-token file per server: two `serve`s started from the same directory each keep their own token, and
 * `inspect --server` finds the one of the server it asks, from that directory and from any other. The files are
 * 0600 and written without following a planted symlink.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { writeSecretFile } from '../../src/cli/secret-file.ts';
import { run } from '../../src/cli/program.ts';
import { runCli } from '../support/cli.ts';

type Serving = { url: string; port: number; stop: () => Promise<number> };

/** `serve --json --port 0` in-process, until stop() sends SIGINT. */
async function startServe(cwd: string, env: Record<string, string>): Promise<Serving> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end();
  stderr.resume();
  const handlers = new Set<(signal: string) => void>();
  const running = run(['node', 'exo-passthru', '--json', 'serve', '--port', '0'], {
    env: { NO_COLOR: '1', ...env },
    cwd,
    stdout,
    stderr,
    stdin,
    onSignal: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  });
  const first = await new Promise<string>((resolve, reject) => {
    stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    void running.then((code) => reject(new Error(`serve exited with ${code}`)));
  });
  const { url, port } = JSON.parse(first) as { url: string; port: number };
  return {
    url,
    port,
    stop: async () => {
      for (const handler of handlers) handler('SIGINT');
      return running;
    },
  };
}

describe('admin token files, one per server', () => {
  let root: string;
  let cwd: string;
  let elsewhere: string;
  let env: Record<string, string>;
  const servers: Serving[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'exo-admin-token-'));
    cwd = join(root, 'project');
    elsewhere = join(root, 'elsewhere');
    await mkdir(cwd);
    await mkdir(elsewhere);
    env = { XDG_RUNTIME_DIR: join(root, 'runtime'), HOME: join(root, 'home'), DATA_DIR: 'memory', REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: '' };
    servers.push(await startServe(cwd, env), await startServe(cwd, env));
  });
  after(async () => {
    for (const server of servers) assert.equal(await server.stop(), 0);
    await rm(root, { recursive: true, force: true });
  });

  it('inspect --server finds the token of that server, in the working directory and from any other', async () => {
    for (const server of servers) {
      for (const dir of [cwd, elsewhere]) {
        const res = await runCli(['inspect', 'sessions', '--server', server.url], { cwd: dir, env });
        assert.equal(res.code, 0, `${server.url} from ${dir}: ${res.stderr}`);
      }
    }
  });

  it('the files: admin-token-<port> in .exo-passthru and the per-user directory, 0600; admin-token is the latest', async () => {
    const [a, b] = servers as [Serving, Serving];
    const tokenA = await readFile(join(cwd, '.exo-passthru', `admin-token-${a.port}`), 'utf8');
    assert.equal(await readFile(join(root, 'runtime', 'exo-passthru', `admin-token-${a.port}`), 'utf8'), tokenA);
    assert.equal(await readFile(join(cwd, '.exo-passthru', 'admin-token'), 'utf8'), await readFile(join(cwd, '.exo-passthru', `admin-token-${b.port}`), 'utf8'));
    assert.notEqual(tokenA, await readFile(join(cwd, '.exo-passthru', 'admin-token'), 'utf8'));
    for (const file of [join(cwd, '.exo-passthru', `admin-token-${a.port}`), join(root, 'runtime', 'exo-passthru', `admin-token-${b.port}`)]) {
      assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    }
  });

  it('without XDG_RUNTIME_DIR the per-user directory is ~/.exo-passthru', async () => {
    const { XDG_RUNTIME_DIR: _unset, ...noRuntime } = env;
    const server = await startServe(cwd, noRuntime);
    try {
      await stat(join(root, 'home', '.exo-passthru', `admin-token-${server.port}`));
      const res = await runCli(['inspect', 'sessions', '--server', server.url], { cwd: elsewhere, env: noRuntime });
      assert.equal(res.code, 0, res.stderr);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('writeSecretFile replaces a planted symlink instead of writing through it', async () => {
    const target = join(root, 'victim');
    await writeFile(target, 'keep me\n');
    const path = join(root, 'secret');
    await symlink(target, path);
    await writeSecretFile(path, 'token\n');
    assert.equal(await readFile(target, 'utf8'), 'keep me\n');
    assert.equal((await lstat(path)).isFile(), true);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await readFile(path, 'utf8'), 'token\n');
  });
});
