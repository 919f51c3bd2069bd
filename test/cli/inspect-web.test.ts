/**
 * `inspect --web`: the inspector page of a running serve, with the admin token found as `inspect --server` finds
 * it and handed over in the URL fragment; printed with --json or where no browser can be opened.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeAdminTokenFiles } from '../../src/cli/admin-token-files.ts';
import { browserLauncher } from '../../src/cli/open-url.ts';
import { runCli } from '../support/cli.ts';

const PORT = 48123;
const SERVER = `http://127.0.0.1:${PORT}`;

describe('inspect --web', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'inspect-web-'));
    env = { XDG_RUNTIME_DIR: join(cwd, 'runtime'), HOME: cwd };
    await writeAdminTokenFiles({ cwd, env }, PORT, 'tok/en+1');
  });
  after(() => rm(cwd, { recursive: true, force: true }));

  it("opens the server's page with its token file's token in the fragment", async () => {
    const opened: string[] = [];
    const result = await runCli(['inspect', '--web', '--server', SERVER], {
      cwd,
      env,
      openUrl: async (url) => {
        opened.push(url);
        return true;
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(opened, [`${SERVER}/_inspect#token=tok%2Fen%2B1`]);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /opened the call inspector/);
  });

  it('prints the URL with --json, and where there is no browser to open', async () => {
    const json = await runCli(['--json', 'inspect', '--web', '--server', SERVER], { cwd, env });
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { url: `${SERVER}/_inspect#token=tok%2Fen%2B1` });
    const headless = await runCli(['inspect', '--web', '--server', SERVER], {
      cwd,
      env,
      openUrl: async () => false,
    });
    assert.equal(headless.code, 0);
    assert.equal(headless.stdout, `${SERVER}/_inspect#token=tok%2Fen%2B1\n`);
    assert.match(headless.stderr, /no browser to open here/);
    const given = await runCli(
      ['--json', 'inspect', '--web', '--server', 'http://10.0.0.5:8000', '--admin-token', 'abc'],
      {
        cwd,
        env,
      },
    );
    assert.deepEqual(JSON.parse(given.stdout), { url: 'http://10.0.0.5:8000/_inspect#token=abc' });
  });

  it('fails with usage when no token is to be found, and without --web or a subcommand', async () => {
    const missing = await runCli(['inspect', '--web', '--server', 'http://127.0.0.1:48124'], { cwd, env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no admin token for http:\/\/127\.0\.0\.1:48124/);
    assert.match(missing.stderr, /admin-token-48124/);
    const bare = await runCli(['inspect'], { cwd, env });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /subcommand \(sessions, calls, call\) or --web/);
  });

  it("leaves the subcommands' own --server alone", async () => {
    const result = await runCli(['inspect', 'calls', '--server', 'http://127.0.0.1:1', '--admin-token', 'x'], {
      cwd,
      env,
    });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /cannot reach http:\/\/127\.0\.0\.1:1\b/);
  });
});

describe('browser launcher by platform', () => {
  it('uses open, start, or xdg-open only with a display', () => {
    assert.equal(browserLauncher('darwin', {})?.command, 'open');
    assert.deepEqual(browserLauncher('win32', {})?.args('http://x/?a=1&b=2'), [
      '/c',
      'start',
      '""',
      'http://x/?a=1^&b=2',
    ]);
    assert.equal(browserLauncher('linux', {}), undefined);
    assert.equal(browserLauncher('linux', { DISPLAY: ':0' })?.command, 'xdg-open');
    assert.equal(browserLauncher('freebsd', { WAYLAND_DISPLAY: 'wayland-0' })?.command, 'xdg-open');
  });
});
