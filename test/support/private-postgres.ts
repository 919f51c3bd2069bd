/**
 * A private PostgreSQL server (its own initdb'd data dir, on a free loopback port) for fault tests that must
 * stop, crash, freeze and restart the database mid-test without touching the machine's own instance.
 *
 * Every signal goes to a PID read from this server's own postmaster.pid (and checked to be a live process
 * started on this data dir) or to a direct child of it — never to a process found by name — and every
 * pg_ctl call names this data dir, so the machine's PostgreSQL on 5432 cannot be affected.
 *
 * initdb and postgres refuse to run as root, so when we are root they run as the `postgres` OS user through
 * runuser, and the temp dir is chowned to that user; as any other user they simply run as that user.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { closedPort } from './services.ts';

export type PrivatePostgres = {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth, so no password). */
  url: string;
  port: number;
  /** The data directory; exposed so a test can check that `destroy()` removed it. */
  dataDir: string;
  /** The postmaster's PID while it is running (not while stopped or after `kill()`). */
  pid(): number | undefined;
  /** `pg_ctl stop -m fast -w`; thaws first (a stopped postmaster cannot act on the signal). Idempotent. */
  stop(): Promise<void>;
  /** Start again on the same port and data dir; resolves once it answers `select 1`. A no-op while running. */
  start(): Promise<void>;
  /** SIGKILL the postmaster and its backends (a crash); a later `start()` runs crash recovery. */
  kill(): Promise<void>;
  /** SIGSTOP the postmaster and every backend, so open connections and new connects hang rather than fail. */
  freeze(): void;
  /** SIGCONT everything `freeze()` stopped. */
  thaw(): void;
  /** Thaw, stop (SIGKILL if that takes over 5 s), remove every temp dir. Safe to call twice and after `kill()`. */
  destroy(): Promise<void>;
};

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

type RunResult = { stdout: string; stderr: string };

function run(file: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      // A minimal env: PG* variables from the caller (PGPORT, PGDATA, …) must not leak into initdb/pg_ctl, and
      // no LANG/LC_* means a predictable C locale.
      { cwd: options.cwd, timeout: options.timeoutMs ?? 0, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout, stderr }));
        else resolve({ stdout, stderr });
      },
    );
  });
}

let binDirCache: Promise<string> | undefined;

/** PostgreSQL's server binaries are not on PATH on Debian/Ubuntu; pg_config knows where they are. */
function binDir(): Promise<string> {
  binDirCache ??= run('pg_config', ['--bindir']).then(
    (result) => result.stdout.trim(),
    (error: unknown) => {
      binDirCache = undefined;
      throw new Error(`private postgres: pg_config --bindir failed (is PostgreSQL installed?): ${String(error)}`, {
        cause: error,
      });
    },
  );
  return binDirCache;
}

const asRoot = process.getuid?.() === 0;

/** Run a PostgreSQL binary as the postgres OS user when we are root (initdb/postgres refuse root). */
async function runPg(binary: string, args: string[], options: { cwd: string; timeoutMs?: number }): Promise<RunResult> {
  const path = join(await binDir(), binary);
  return asRoot ? run('runuser', ['-u', 'postgres', '--', path, ...args], options) : run(path, args, options);
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** pg_ctl hands `-o` to /bin/sh, so a path with a space or quote must be quoted. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `[state, ppid]` from /proc/PID/stat, or undefined when the process is gone. comm may hold spaces and ')'. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  return state === undefined || !Number.isInteger(ppid) ? undefined : { state, ppid };
}

/** Alive and not a zombie: an orphaned postmaster is reparented to PID 1, which may reap it late. */
function isLive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Direct children of `parent` (every PostgreSQL backend and auxiliary process is one). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat !== undefined && stat.ppid === parent && stat.state !== 'Z') children.push(pid);
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Gone between the lookup and the signal: that is the outcome we wanted anyway.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function logTail(logFile: string, lines = 30): Promise<string> {
  try {
    return (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log: ${String(error)})`;
  }
}

/** One `select 1` on a fresh connection; false on any failure (refused, "starting up", timeout). */
async function answersQuery(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 1000,
    query_timeout: 1000,
  });
  // A server-side disconnect after connect would otherwise be an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The SysV shared memory segment a crashed server leaves behind (PostgreSQL removes it on a clean shutdown or
 * reuses it on the next start, but never if the data dir is deleted). Only a segment matching both the key and
 * the id this server's postmaster.pid recorded, with nothing attached, is removed.
 */
async function removeOrphanSegment(pidFileText: string): Promise<void> {
  const shmLine = pidFileText.split('\n')[6]?.trim();
  const [key, id] = shmLine?.split(/\s+/) ?? [];
  if (key === undefined || id === undefined || !/^\d+$/.test(key) || !/^\d+$/.test(id)) return;
  let listing: string;
  try {
    listing = (await run('ipcs', ['-m'])).stdout;
  } catch {
    return;
  }
  // ipcs columns: key (hex) shmid owner perms bytes nattch status
  const orphan = listing.split('\n').some((line) => {
    const [hexKey, shmid, , , , nattch] = line.trim().split(/\s+/);
    return (
      hexKey !== undefined &&
      /^0x[0-9a-f]+$/i.test(hexKey) &&
      Number(hexKey) === Number(key) &&
      shmid === id &&
      nattch === '0'
    );
  });
  if (orphan) await run('ipcrm', ['-m', id]).catch(() => {});
}

/** initdb a fresh data dir and start a PostgreSQL on a free 127.0.0.1 port (no Unix socket outside its temp dir). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = await mkdtemp(join(tmpdir(), 'exo-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  const logFile = join(root, 'postgres.log');
  const pidFile = join(dataDir, 'postmaster.pid');
  let port = 0;
  let frozen: number[] = [];
  let destroyed: Promise<void> | undefined;

  /** The running postmaster's PID: from our postmaster.pid, live, and started on our data dir (not a reused PID). */
  function pid(): number | undefined {
    let first: string | undefined;
    try {
      first = readFileSync(pidFile, 'utf8').split('\n')[0];
    } catch {
      return undefined;
    }
    const candidate = Number(first);
    if (!Number.isInteger(candidate) || candidate <= 0 || !isLive(candidate)) return undefined;
    try {
      return readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0').includes(dataDir) ? candidate : undefined;
    } catch {
      return undefined;
    }
  }

  async function failure(message: string, cause?: unknown): Promise<Error> {
    return new Error(
      `private postgres on port ${port}: ${message}\n--- ${logFile} (tail) ---\n${await logTail(logFile)}`,
      { cause },
    );
  }

  /**
   * After kill() the lock files still name the dead postmaster. PostgreSQL removes such files itself only when
   * that PID no longer exists, but an orphaned postmaster is a zombie until PID 1 reaps it, which in some
   * containers happens late or never: meanwhile postgres refuses to start ("lock file postmaster.pid already
   * exists"). pid() already found no live postmaster of ours, so the files are stale.
   */
  async function removeStaleLocks(): Promise<void> {
    const pidFileText = await readFile(pidFile, 'utf8').catch(() => undefined);
    if (pidFileText === undefined) return;
    await removeOrphanSegment(pidFileText);
    await rm(join(socketDir, `.s.PGSQL.${port}.lock`), { force: true });
    await rm(pidFile, { force: true });
  }

  async function start(): Promise<void> {
    if (destroyed) throw new Error('private postgres: start() after destroy()');
    if (pid() !== undefined) return;
    await removeStaleLocks();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const options = [`-p ${port}`, `-k ${shellQuote(socketDir)}`, '-c listen_addresses=127.0.0.1', '-c fsync=off'].join(
      ' ',
    );
    try {
      // -w waits for postmaster.pid to say "ready"; after kill() postgres runs crash recovery on its own.
      await runPg(
        'pg_ctl',
        ['-D', dataDir, '-o', options, '-l', logFile, '-w', '-t', String(READY_TIMEOUT_MS / 1000), 'start'],
        {
          cwd: root,
          timeoutMs: READY_TIMEOUT_MS + 2000,
        },
      );
    } catch (error) {
      throw await failure(`pg_ctl start failed: ${String(error)}`, error);
    }
    // "ready" in the pid file is not the same as accepting TCP connections on our port; prove that.
    while (!(await answersQuery(port))) {
      if (pid() === undefined) throw await failure('postmaster exited while starting');
      if (Date.now() > deadline) throw await failure(`did not answer select 1 within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function thaw(): void {
    const postmaster = pid();
    const pids = new Set(frozen);
    if (postmaster !== undefined) for (const child of [postmaster, ...childrenOf(postmaster)]) pids.add(child);
    frozen = [];
    for (const target of pids) signal(target, 'SIGCONT');
  }

  function freeze(): void {
    const postmaster = pid();
    if (postmaster === undefined) throw new Error('private postgres: freeze() while not running');
    // The postmaster first, so it cannot fork a new backend between our listing its children and stopping them.
    signal(postmaster, 'SIGSTOP');
    frozen = [postmaster, ...childrenOf(postmaster)];
    for (const child of frozen.slice(1)) signal(child, 'SIGSTOP');
  }

  async function stop(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    if (pid() === undefined) return;
    thaw();
    try {
      await runPg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', String(Math.ceil(timeoutMs / 1000)), 'stop'], {
        cwd: root,
        timeoutMs: timeoutMs + 1000,
      });
    } catch (error) {
      throw await failure(`pg_ctl stop failed: ${String(error)}`, error);
    }
  }

  async function kill(): Promise<void> {
    const postmaster = pid();
    if (postmaster === undefined) return;
    // Stopped first, so it cannot fork a backend we have not listed (an orphan that keeps the old shared memory
    // attached makes the next start fail); killed before its children, or it would notice their deaths and
    // begin a crash-restart cycle of fresh processes.
    signal(postmaster, 'SIGSTOP');
    const children = childrenOf(postmaster);
    signal(postmaster, 'SIGKILL');
    for (const child of children) signal(child, 'SIGKILL');
    frozen = [];
    const all = [postmaster, ...children];
    await waitUntil(
      () => !all.some(isLive),
      STOP_TIMEOUT_MS,
      `private postgres: pids ${all.join(', ')} outlived SIGKILL`,
    );
  }

  async function destroy(): Promise<void> {
    destroyed ??= (async () => {
      try {
        thaw();
        await stop(STOP_TIMEOUT_MS).catch(() => kill());
      } finally {
        // postmaster.pid is still there only after a crash (a clean stop removes it), and so then is the
        // shared memory segment, which nothing would ever remove once the data dir is gone.
        if (pid() === undefined) await removeStaleLocks();
        await rm(root, { recursive: true, force: true });
      }
    })();
    return destroyed;
  }

  try {
    port = await closedPort();
    await mkdir(socketDir);
    if (asRoot) {
      const { uid, gid } = await postgresIds();
      await Promise.all([chown(root, uid, gid), chown(socketDir, uid, gid)]);
    }
    // initdb creates data/ as 0700 itself; root and sock/ are 0700 too, so only postgres (and we, as root or
    // as that same user) can reach the data, the log or the Unix socket.
    await chmod(root, 0o700);
    await chmod(socketDir, 0o700);
    try {
      await runPg(
        'initdb',
        ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        {
          cwd: root,
          timeoutMs: READY_TIMEOUT_MS,
        },
      );
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string };
      throw new Error(
        `private postgres: initdb failed: ${String(error)}\n${output.stdout ?? ''}${output.stderr ?? ''}`,
        { cause: error },
      );
    }
    await start();
  } catch (error) {
    // A server that started but never answered must not outlive the failed setup.
    await kill().catch(() => {});
    await rm(root, { recursive: true, force: true }).catch(() => {});
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    pid,
    stop: () => stop(),
    start,
    kill,
    freeze,
    thaw,
    destroy,
  };
}
