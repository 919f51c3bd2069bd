/**
 * Embedded serve and url restart themselves in place with V8 and glibc start-up settings (src/cli/startup-tuning.ts,
 * bin/exo-passthru.js): which runs take them (DATABASE_URL by the config's precedence), that a user's own flags
 * and variables are kept and a restarted process never restarts again, and, spawned, that the process serving is
 * the one that was started (same PID) with the settings, and that serve on PostgreSQL is left alone (each
 * spawned process reports itself on stderr: test/support/report-process.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { realDatabaseUrl } from '../support/services.ts';
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
    assert.deepEqual(startupRestart('url', ['url'], ['--max-semi-space-size=8'], {}, dir), {
      nodeArgs: ['--max-semi-space-size=8', '--expose-gc'],
      env: { MALLOC_ARENA_MAX: '1' },
    });
    const chosen = ['--max-semi-space-size=8', '--expose-gc'];
    assert.equal(startupRestart('url', ['url'], chosen, { MALLOC_ARENA_MAX: '2' }, dir), undefined);
    assert.equal(startupRestart('validate', ['validate', 'a.xml'], [], {}, dir), undefined);
  });
});

/** What a spawned CLI reported of itself (test/support/report-process.ts), newest process last. */
type Reported = { pid: number; execArgv: string[]; argv: string[]; malloc: Record<string, string | undefined> };
const REPORT = `--import=${new URL('../support/report-process.ts', import.meta.url).href}`;
const reported = (stderr: string): Reported[] =>
  [...stderr.matchAll(/^process: (.*)$/gm)].map((match) => JSON.parse(match[1] as string) as Reported);

describe('spawned: the process that does the work', () => {
  it('embedded serve is the same process, restarted with the tuning, and answers', async (t) => {
    const serve = await startServe([], { env: embeddedServeEnv({ NODE_OPTIONS: REPORT }), cwd: dir, healthy: true });
    t.after(() => serve.stop());
    const [first, restarted, ...more] = reported(serve.stderr());
    assert.equal(more.length, 0);
    assert.equal(first?.pid, serve.child.pid);
    assert.equal(restarted?.pid, serve.child.pid);
    assert.deepEqual(restarted?.execArgv, [...EMBEDDED_SERVE_TUNING.nodeFlags]);
    assert.deepEqual(restarted?.malloc, EMBEDDED_SERVE_TUNING.env);
    assert.deepEqual(restarted?.argv, [BIN, '--json', 'serve', '--port', '0']);
    assert.equal((await fetch(`${serve.url}/health`)).status, 200);
    assert.equal(await serve.stop(), 0);
  });

  it('url is the same process, restarted with a small young generation, and reads its whole input', async () => {
    const child = spawn(process.execPath, [BIN, 'url', '--csv', '-', '--base-url', 'https://bot.example.com'], {
      env: baseEnv({ NODE_OPTIONS: REPORT }),
      cwd: dir,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end('customer_id,customer_name,phone\nC1,Asha Rao,9876543210\n');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.match(stdout, /customer_id=C1/);
    const processes = reported(stderr);
    assert.deepEqual(
      processes.map((p) => [p.pid, p.execArgv]),
      [
        [child.pid, []],
        [child.pid, [...URL_TUNING.nodeFlags]],
      ],
    );
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
        NODE_OPTIONS: REPORT,
      });
      const serve = await startServe([], { env, cwd: dir, healthy: true });
      const processes = reported(serve.stderr());
      assert.deepEqual(
        processes.map((p) => [p.pid, p.execArgv, p.malloc]),
        [[serve.child.pid, [], {}]],
      );
      assert.equal(await serve.stop(), 0, serve.stderr());
    });
});
