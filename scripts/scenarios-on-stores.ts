/**
 * `npm run test:scenarios:stores`: the scenario files against `serve` on the real Redis and PostgreSQL, `state:`
 * included, as a deployment is tested (`npm run test:scenarios` covers the embedded stores through --start-server).
 *
 * Starts `exo-passthru serve --port 0 --json` with REDIS_URL / DATABASE_URL under a key prefix and schema of its
 * own (so it collides with nothing), then runs `exo-passthru test --url <serve>` twice: reading `state:` straight
 * from the stores (REDIS_URL / DATABASE_URL with that prefix and schema), then through serve's admin API
 * (ADMIN_TOKEN). Stops serve, drops the schema and the keys, exits with the first failing run's code.
 *
 *   node scripts/scenarios-on-stores.ts [paths… and test flags]   (default: fixtures/scenarios)
 *
 * Flags are passed to both runs; `--out report.xml` becomes report-direct.xml and report-admin.xml. Needs dist/
 * (`npm run build`) and both URLs set.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

const bin = fileURLToPath(new URL('../bin/exo-passthru.js', import.meta.url));
const redisUrl = process.env.REDIS_URL?.trim();
const databaseUrl = process.env.DATABASE_URL?.trim();
if (!redisUrl || !databaseUrl) {
  console.error('scenarios-on-stores: set REDIS_URL and DATABASE_URL (the stores serve and the state: checks use)');
  process.exit(2);
}

const id = randomBytes(6).toString('hex');
const prefix = `exo_scenarios_${id}:`;
const schema = `exo_scenarios_${id}`;
const token = randomBytes(18).toString('base64url');
// The fixtures expect this agent on "press 1" (src/cli/commands/test/hermetic.ts gives --start-server the same).
const AGENT = '+917417119014';
const stores = { REDIS_URL: redisUrl, DATABASE_URL: databaseUrl, REDIS_PREFIX: prefix, DATABASE_SCHEMA: schema };
const base = { ...process.env, NO_COLOR: '1', WEBHOOK_KEY: '', ADMIN_TOKEN: '' };

type Env = Record<string, string | undefined>;

async function startServe(): Promise<{ url: string; stop: () => Promise<void> }> {
  const env: Env = { ...base, ...stores, ADMIN_TOKEN: token, SPOOL_DIR: 'memory', AGENT_NUMBER: AGENT };
  const child = spawn(process.execPath, [bin, '--json', 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [undefined])])) as [
    string | undefined,
  ];
  if (first === undefined) throw new Error(`serve did not start:\n${log}`);
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      if (code !== 0) console.error(`serve exited with ${code}:\n${log}`);
    },
  };
}

/** The test flags for one run: --out gets the run's name before its extension. */
function argsFor(run: string, args: readonly string[]): string[] {
  const out = [...args];
  const at = out.indexOf('--out');
  const file = out[at + 1];
  if (at !== -1 && file !== undefined) out[at + 1] = file.replace(/(\.[^./]+)?$/, (ext) => `-${run}${ext}`);
  return out;
}

/** test's flags that take a value: what follows them is not a path. */
const VALUED = new Set(['--reporter', '--out', '--concurrency', '--grep', '--timeout', '--max-steps']);
const hasPaths = (args: readonly string[]) =>
  args.some((arg, i) => !arg.startsWith('-') && !VALUED.has(args[i - 1] ?? ''));

async function runTest(run: string, url: string, env: Env, args: readonly string[]): Promise<number> {
  console.error(`\n== exo-passthru test against serve on Redis + PostgreSQL, state: read ${run} ==`);
  const paths = hasPaths(args) ? [] : ['fixtures/scenarios'];
  const child = spawn(
    process.execPath,
    [bin, 'test', '--url', `${url}/passthru-handler`, ...paths, ...argsFor(run, args)],
    {
      env: { ...base, ...env },
      stdio: 'inherit',
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
}

async function cleanup(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`);
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl ?? '', { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const args = process.argv.slice(2);
let code = 0;
const serve = await startServe();
try {
  const direct = await runTest('direct', serve.url, { ...stores }, args);
  const admin = await runTest('admin', serve.url, { REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: token }, args);
  code = [direct, admin].find((c) => c !== 0) ?? 0;
} finally {
  await serve.stop();
  await cleanup();
}
process.exitCode = code;
