/**
 * Settings that V8 and glibc read only when a process starts, so the bin (bin/exo-passthru.js) applies them by
 * starting itself again in place (`process.execve`: same PID, same stdio, nothing printed yet) before it loads
 * the CLI. Imported first, on every `serve` and `url`: only node:fs, node:path and dotenv here.
 *
 * - `serve` on embedded PGlite: the dev loop on a laptop, where its memory counts (README.md, "Start-up and
 *   memory", has the figures): a small young generation for V8; glibc malloc settings that give freed memory back
 *   to the system instead of keeping it in per-thread arenas; and `gc`, so serve can collect once PGlite is open
 *   (src/cli/commands/serve.ts). Serve on PostgreSQL keeps V8's defaults: a server under load, where a small young
 *   generation means more collections.
 * - `url`: it streams any number of rows in constant memory, but V8 sizes its young generation from the machine's
 *   RAM, about 100 MB more peak RSS on a large file (`npm run bench:url`); glibc gives its worker thread an arena
 *   of its own; and `gc`, so url can collect the tables duplicate detection replaced (src/customers/run-state.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export type StartupTuning = { nodeFlags: readonly string[]; env: Readonly<Record<string, string>> };

export const EMBEDDED_SERVE_TUNING: StartupTuning = {
  nodeFlags: ['--max-semi-space-size=2', '--expose-gc'],
  env: { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' },
};

export const URL_TUNING: StartupTuning = {
  // `gc`: url collects once duplicate detection has replaced megabytes of tables (src/customers/run-state.ts).
  nodeFlags: ['--max-semi-space-size=4', '--expose-gc'],
  // One malloc arena for both of url's threads (customers/format-lane.ts): a second one kept 5-25 MB more peak
  // RSS at a million rows (measured, npm run bench:url) for no speed.
  env: { MALLOC_ARENA_MAX: '1' },
};

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `--name value` or `--name=value` among `args` (the last one given), if any. */
function flagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg === name) value = args[++i];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  }
  return value;
}

/**
 * Whether `serve` with these arguments stores history in embedded PGlite: no DATABASE_URL from its flag, the
 * environment or the .env file (--env-file, else ./.env), by the precedence of src/config.ts, where an empty value
 * counts as unset. A .env file that cannot be read counts as empty here; the CLI reports it, if it must.
 */
export function usesEmbeddedHistory(args: readonly string[], env: Env, cwd: string): boolean {
  if (flagValue(args, '--database-url')) return false;
  if (env.DATABASE_URL) return false;
  const envFile = flagValue(args, '--env-file') ?? '.env';
  try {
    const text = readFileSync(isAbsolute(envFile) ? envFile : join(cwd, envFile), 'utf8');
    return !parseDotenv(text).DATABASE_URL;
  } catch {
    return true;
  }
}

/**
 * The Node arguments and environment that run the same command line again with `tuning`, or undefined when
 * there is nothing to add. A flag the user already gave (on Node's command line or in NODE_OPTIONS, by the same
 * name) and a variable already set are theirs and stay as they are; so after one restart there is no other.
 */
export function restartPlan(
  tuning: StartupTuning,
  execArgv: readonly string[],
  env: Env,
): { nodeArgs: string[]; env: Record<string, string | undefined> } | undefined {
  // V8 takes `--max_semi_space_size` for `--max-semi-space-size`.
  const name = (arg: string) => (arg.split('=')[0] ?? '').replaceAll('_', '-');
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map(name);
  const flags = tuning.nodeFlags.filter((flag) => !given.includes(name(flag)));
  const variables = Object.entries(tuning.env).filter(([variable]) => env[variable] === undefined);
  if (flags.length === 0 && variables.length === 0) return undefined;
  return { nodeArgs: [...execArgv, ...flags], env: { ...env, ...Object.fromEntries(variables) } };
}

/**
 * What the bin restarts `command` with (`args`: the CLI's arguments, after the script), or undefined: go on as
 * it is (another command, serve on PostgreSQL, or everything already set).
 */
export function startupRestart(
  command: string,
  args: readonly string[],
  execArgv: readonly string[],
  env: Env,
  cwd: string,
): ReturnType<typeof restartPlan> {
  if (command === 'url') return restartPlan(URL_TUNING, execArgv, env);
  if (command === 'serve' && usesEmbeddedHistory(args, env, cwd))
    return restartPlan(EMBEDDED_SERVE_TUNING, execArgv, env);
  return undefined;
}
