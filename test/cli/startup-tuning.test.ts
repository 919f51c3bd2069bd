/**
 * Embedded serve and url restart themselves in place with V8 and glibc start-up settings (src/cli/startup-tuning.ts,
 * bin/exo-passthru.js): which runs take them (DATABASE_URL by the config's precedence), that a user's own flags
 * and variables are kept and a restarted process never restarts again, and, spawned, that the process serving is
 * the one that was started (same PID) with the settings, and that serve on PostgreSQL is left alone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  EMBEDDED_SERVE_TUNING,
  restartPlan,
  startupRestart,
  URL_TUNING,
  usesEmbeddedHistory,
} from '../../src/cli/startup-tuning.ts';
import { realStores } from '../support/backends.ts';
import { pollUntil, realDatabaseUrl } from '../support/services.ts';
import { BIN, baseEnv, embeddedServeEnv, startServe } from '../support/spawn.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-tuning-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const PG = 'postgres://postgres@127.0.0.1:5432/test';

describe('usesEmbeddedHistory: DATABASE_URL from the flag, the environment or the .env file, empty meaning unset', () => {
  it('nothing set: embedded', () => {
    assert.equal(usesEmbeddedHistory(['serve'], {}, dir), true);
  });

  it('the flag, in both spellings, or the environment: PostgreSQL', () => {
    assert.equal(usesEmbeddedHistory(['serve', '--database-url', PG], {}, dir), false);
    assert.equal(usesEmbeddedHistory(['serve', `--database-url=${PG}`], {}, dir), false);
    assert.equal(usesEmbeddedHistory(['serve'], { DATABASE_URL: PG }, dir), false);
  });

  it('an empty value is unset, as in the config', () => {
    assert.equal(usesEmbeddedHistory(['serve', '--database-url='], { DATABASE_URL: '' }, dir), true);
  });

  it('./.env, or the file --env-file names, before the defaults', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    await writeFile(join(cwd, '.env'), `# local\nDATABASE_URL=${PG}\n`);
    assert.equal(usesEmbeddedHistory(['serve'], {}, cwd), false);
    await writeFile(join(cwd, 'empty.env'), 'DATABASE_URL=\nREDIS_URL=redis://127.0.0.1:6379\n');
    assert.equal(usesEmbeddedHistory(['--env-file', 'empty.env', 'serve'], {}, cwd), true);
    assert.equal(usesEmbeddedHistory([`--env-file=${join(cwd, '.env')}`, 'serve'], {}, dir), false);
  });

  it('a .env file that cannot be read counts as empty (the CLI reports --env-file itself)', () => {
    assert.equal(usesEmbeddedHistory(['--env-file', 'nope.env', 'serve'], {}, dir), true);
  });

  it('arguments after -- are not flags', () => {
    assert.equal(usesEmbeddedHistory(['serve', '--', '--database-url', PG], {}, dir), true);
  });
});

describe('restartPlan: what a restart adds, keeping what the user chose', () => {
  it('adds the tuning to Node’s own arguments and the environment', () => {
    const plan = restartPlan(EMBEDDED_SERVE_TUNING, ['--enable-source-maps'], { PATH: '/bin' });
    assert.deepEqual(plan?.nodeArgs, ['--enable-source-maps', ...EMBEDDED_SERVE_TUNING.nodeFlags]);
    assert.deepEqual(plan?.env, { PATH: '/bin', ...EMBEDDED_SERVE_TUNING.env });
  });

  it('a flag given on the command line or in NODE_OPTIONS (either spelling) and a variable set are kept', () => {
    const plan = restartPlan(EMBEDDED_SERVE_TUNING, ['--max_semi_space_size=16'], {
      NODE_OPTIONS: '--expose-gc',
      MALLOC_ARENA_MAX: '8',
    });
    assert.deepEqual(plan?.nodeArgs, ['--max_semi_space_size=16']);
    assert.equal(plan?.env.MALLOC_ARENA_MAX, '8');
    assert.equal(plan?.env.MALLOC_TRIM_THRESHOLD_, EMBEDDED_SERVE_TUNING.env.MALLOC_TRIM_THRESHOLD_);
  });

  it('a restarted process has everything: it does not restart again', () => {
    const plan = restartPlan(EMBEDDED_SERVE_TUNING, [], {});
    assert.ok(plan);
    assert.equal(restartPlan(EMBEDDED_SERVE_TUNING, plan.nodeArgs, plan.env), undefined);
  });

  it('which commands restart: embedded serve and url; not serve on PostgreSQL, not the others', () => {
    assert.deepEqual(startupRestart('serve', ['serve'], [], {}, dir)?.nodeArgs, EMBEDDED_SERVE_TUNING.nodeFlags);
    assert.equal(startupRestart('serve', ['serve'], [], { DATABASE_URL: PG }, dir), undefined);
    assert.deepEqual(startupRestart('url', ['url', '--csv', 'x.csv'], [], {}, dir)?.nodeArgs, URL_TUNING.nodeFlags);
    assert.equal(startupRestart('url', ['url'], ['--max-semi-space-size=8'], {}, dir), undefined);
    assert.equal(startupRestart('validate', ['validate', 'a.xml'], [], {}, dir), undefined);
  });
});

async function processOf(pid: number): Promise<{ args: string[]; env: string[] }> {
  const split = (text: string) => text.split('\0').filter(Boolean);
  return {
    args: split(await readFile(`/proc/${pid}/cmdline`, 'utf8')),
    env: split(await readFile(`/proc/${pid}/environ`, 'utf8')),
  };
}

// /proc is Linux's; process.execve is not on Windows, where serve goes on untuned.
describe('spawned: the process that serves', { skip: process.platform !== 'linux' }, () => {
  it('embedded serve is the same process, restarted with the tuning, and answers', async (t) => {
    const serve = await startServe([], { env: embeddedServeEnv(), cwd: dir, healthy: true });
    t.after(() => serve.stop());
    const { args, env } = await processOf(serve.child.pid as number);
    for (const flag of EMBEDDED_SERVE_TUNING.nodeFlags) assert.ok(args.includes(flag), `${flag} in ${args}`);
    for (const [name, value] of Object.entries(EMBEDDED_SERVE_TUNING.env)) assert.ok(env.includes(`${name}=${value}`));
    // Node's options end before the bin, as in its shebang, so the CLI still reads its own --env-file.
    assert.deepEqual(args.slice(-6), ['--', BIN, '--json', 'serve', '--port', '0']);
    assert.equal((await fetch(`${serve.url}/health`)).status, 200);
    assert.equal(await serve.stop(), 0);
  });

  it('url is the same process, restarted with a small young generation, and reads its whole input', async () => {
    const child = spawn(process.execPath, [BIN, 'url', '--csv', '-', '--base-url', 'https://bot.example.com'], {
      env: baseEnv(),
      cwd: dir,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    // Before the input ends, the process reading it is the restarted one.
    await pollUntil(
      async () => (await processOf(child.pid as number)).args.includes(URL_TUNING.nodeFlags[0] as string),
      {
        timeoutMs: 10_000,
        message: 'url did not restart with its young-generation flag',
      },
    );
    child.stdin.end('customer_id,customer_name,phone\nC1,Asha Rao,9876543210\n');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.match(stdout, /customer_id=C1/);
  });

  const databaseUrl = realDatabaseUrl();
  if (databaseUrl !== undefined)
    it('serve on PostgreSQL keeps V8’s and glibc’s defaults', async (t) => {
      const stores = realStores('tuning', { databaseUrl });
      t.after(stores.cleanup);
      const env = baseEnv({
        REDIS_URL: '',
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: stores.schema,
        ADMIN_TOKEN: '',
        MALLOC_ARENA_MAX: undefined,
        MALLOC_TRIM_THRESHOLD_: undefined,
      });
      const serve = await startServe([], { env, cwd: dir });
      const { args, env: seen } = await processOf(serve.child.pid as number);
      for (const flag of EMBEDDED_SERVE_TUNING.nodeFlags) assert.ok(!args.includes(flag), `${flag} in ${args}`);
      assert.ok(!seen.some((variable) => variable.startsWith('MALLOC_')));
      assert.equal(await serve.stop(), 0, `${serve.child.signalCode}\n${serve.stderr()}`);
    });
});
