/** Spawn the real bin (`bin/exo-passthru.js` → dist/) for end-to-end tests. Requires `npm run build`. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './services.ts';

export const BIN = fileURLToPath(new URL('../../bin/exo-passthru.js', import.meta.url));

export type Env = Record<string, string | undefined>;

export function baseEnv(extra: Env = {}): Env {
  // serve writes its admin token into a per-user directory too: a test run's go to a temp one, not the user's.
  const env: Env = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    XDG_RUNTIME_DIR: join(tmpdir(), 'exo-passthru-test-runtime'),
  };
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  return env;
}

/**
 * baseEnv for a spawned serve on the embedded stores: the empty values unset what the machine's environment may
 * hold (CI sets REDIS_URL and DATABASE_URL), so it keeps sessions in memory and history in an in-memory PGlite,
 * and makes its own admin token. `extra` adds to it or overrides it.
 */
export function embeddedServeEnv(extra: Env = {}): Env {
  return baseEnv({ REDIS_URL: '', DATABASE_URL: '', DATA_DIR: 'memory', ADMIN_TOKEN: '', ...extra });
}

export async function runBin(args: string[], options: { env?: Env; cwd?: string; input?: string } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env ?? baseEnv(),
    cwd: options.cwd,
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

export type RunningServe = {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/** Start `serve --json --port 0`, resolve with the URL from its first stdout line. */
/**
 * `healthy: true` also waits until /health is 200: embedded history opens in the background after serve listens,
 * and the admin API's reads wait for it, as a user's script that polls /health before `inspect` would.
 */
export async function startServe(
  args: string[],
  options: { env?: Env; cwd?: string; healthy?: boolean } = {},
): Promise<RunningServe> {
  const child = spawn(process.execPath, [BIN, '--json', 'serve', '--port', '0', ...args], {
    env: options.env ?? baseEnv(),
    cwd: options.cwd,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  let url: string;
  try {
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
    });
    url = (JSON.parse(first) as { url: string }).url;
    if (options.healthy)
      await pollUntil(async () => (await fetch(`${url}/health`)).status === 200, {
        timeoutMs: 60_000,
        message: `serve healthy:\n${stderr}`,
      });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
