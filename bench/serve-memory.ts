/**
 * `npm run bench:memory`: embedded `serve`'s memory (in-memory sessions, PGlite history opened behind the server),
 * the way a user starts it: the bin, `--json serve --port 0`, in an empty temporary directory (first run: PGlite
 * creates its database) and again in the same directory (second run). Per run:
 * - listening: launch → the JSON line; ready: launch → serve's "history: PGlite open" line (history open and caught up;
 *   /health is then checked to be 200);
 * - 20 calls (/passthru-handler then /gather-response) as soon as it listens, the slowest of them, both requests
 *   ("start-up call max": PGlite opens on serve's thread meanwhile), then /health 200, then 3 s idle:
 *   steady = VmRSS, peak = VmHWM, from /proc/<pid>/status;
 * - child processes (on a first run, the one that creates PGlite's database): sampled every 50 ms while they
 *   live, their largest VmHWM ("child peak") and the largest sum of serve's and their VmRSS ("sum peak");
 * - latency after that: 250 sequential calls (500 webhook requests) and 100 `/admin/calls` reads (PGlite
 *   queries), median and p95 per request.
 *
 * Variants (node flags and environment for the serve process) are named on the command line, all by default:
 * `node bench/serve-memory.ts [--reps 3] [variant …]`. Run `npm run build` first (the bin runs dist/).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/exo-passthru.js', import.meta.url));

type Variant = { nodeArgs?: string[]; env?: Record<string, string> };

/**
 * `baseline` is serve as shipped: the bin restarts embedded serve with its start-up tuning (EMBEDDED_TUNING in
 * src/cli/commands/serve.ts) and compiles PGlite with Liftoff only. A flag or variable given here is the user's
 * and is kept (src/cli/restart-plan.ts), so each variant replaces one of them; `turbofan` is V8's default tiers.
 */
const VARIANTS: Record<string, Variant> = {
  baseline: {},
  turbofan: { nodeArgs: ['--no-liftoff-only'] },
  'max-semi-space-size=1': { nodeArgs: ['--max-semi-space-size=1'] },
  'max-semi-space-size=4': { nodeArgs: ['--max-semi-space-size=4'] },
  'max-semi-space-size=16': { nodeArgs: ['--max-semi-space-size=16'] },
  'MALLOC_ARENA_MAX=8': { env: { MALLOC_ARENA_MAX: '8' } },
};

type Run = {
  listeningMs: number;
  startMaxMs: number;
  readyMs: number;
  steadyMb: number;
  peakMb: number;
  childPeakMb: number;
  sumPeakMb: number;
  hookP50: number;
  hookP95: number;
  adminP50: number;
  adminP95: number;
};

/** The measurement's idle period (not a wait for something to happen: nothing does, that is the point). */
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  // A process that has exited but is not yet reaped has no Vm lines: 0, not NaN.
  return { rss: (kb('VmRSS') || 0) / 1024, hwm: (kb('VmHWM') || 0) / 1024 };
}

/** Samples serve's child processes until stopped: their largest VmHWM, and the largest sum of VmRSS with serve. */
function sampleChildren(pid: number): () => { childPeakMb: number; sumPeakMb: number } {
  let childPeakMb = 0;
  let sumPeakMb = 0;
  const timer = setInterval(async () => {
    try {
      const tasks = await readdir(`/proc/${pid}/task`);
      const children = (
        await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')))
      )
        .join(' ')
        .split(/\s+/)
        .filter(Boolean);
      if (children.length === 0) return;
      const own = await status(pid);
      let sum = own.rss;
      for (const child of children) {
        const { rss, hwm } = await status(Number(child)).catch(() => ({ rss: 0, hwm: 0 }));
        sum += rss;
        childPeakMb = Math.max(childPeakMb, hwm);
      }
      sumPeakMb = Math.max(sumPeakMb, sum);
    } catch {
      // serve has exited
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return { childPeakMb, sumPeakMb };
  };
}

async function call(base: string, sid: string, i: number): Promise<void> {
  const q = new URLSearchParams({
    CallSid: sid,
    customer_id: `cust_${i % 500}`,
    customer_name: 'Riddhi Mittal',
    From: '09876543210',
    To: '08047112233',
    language_code: 'hi-IN',
  });
  const greet = await fetch(`${base}/passthru-handler?${q}`);
  if (greet.status !== 200) throw new Error(`passthru-handler ${greet.status}: ${await greet.text()}`);
  await greet.arrayBuffer();
  const gather = await fetch(`${base}/gather-response`, {
    method: 'POST',
    body: new URLSearchParams({ CallSid: sid, DigitsPressed: '1' }),
  });
  if (gather.status !== 200) throw new Error(`gather-response ${gather.status}: ${await gather.text()}`);
  await gather.arrayBuffer();
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function runOnce(variant: Variant, cwd: string, tag: string): Promise<Run> {
  const start = performance.now();
  const child = spawn(process.execPath, [...(variant.nodeArgs ?? []), BIN, '--json', 'serve', '--port', '0'], {
    cwd,
    env: {
      ...process.env,
      REDIS_URL: '',
      DATABASE_URL: '',
      DATA_DIR: '',
      SPOOL_DIR: '',
      ADMIN_TOKEN: '',
      PORT: '',
      NO_COLOR: '1',
      XDG_RUNTIME_DIR: join(cwd, 'runtime'),
      ...variant.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const children = sampleChildren(child.pid as number);
  let stderr = '';
  // serve says when PGlite is open and caught up ("history: PGlite open"), the moment /health turns 200.
  let historyOpen: () => void = () => {};
  const historyOpened = new Promise<void>((resolve, reject) => {
    historyOpen = resolve;
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  historyOpened.catch(() => {});
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (/^history: PGlite open/m.test(stderr)) historyOpen();
  });
  const exited = once(child, 'exit');
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
    });
    const listeningMs = performance.now() - start;
    const base = (JSON.parse(line) as { url: string }).url;
    const starting: number[] = [];
    for (let i = 0; i < 20; i++) starting.push(await timed(() => call(base, `CA${tag}m${i}`, i)));
    await historyOpened;
    const health = await fetch(`${base}/health`);
    if (health.status !== 200) throw new Error(`/health ${health.status} after "history: PGlite open"`);
    const readyMs = performance.now() - start;
    await idle(3000);
    const { rss, hwm } = await status(child.pid as number);
    const { childPeakMb, sumPeakMb } = children();

    const hooks: number[] = [];
    for (let i = 0; i < 250; i++) {
      const t = await timed(() => call(base, `CA${tag}l${i}`, i));
      hooks.push(t / 2);
    }
    const port = new URL(base).port;
    const token = (await readFile(join(cwd, '.exo-passthru', `admin-token-${port}`), 'utf8')).trim();
    const reads: number[] = [];
    for (let i = 0; i < 100; i++) {
      reads.push(
        await timed(async () => {
          const res = await fetch(`${base}/admin/calls`, { headers: { authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`/admin/calls ${res.status}`);
          await res.arrayBuffer();
        }),
      );
    }
    return {
      listeningMs,
      startMaxMs: Math.max(...starting),
      readyMs,
      steadyMb: rss,
      peakMb: hwm,
      childPeakMb,
      sumPeakMb,
      hookP50: quantile(hooks, 0.5),
      hookP95: quantile(hooks, 0.95),
      adminP50: quantile(reads, 0.5),
      adminP95: quantile(reads, 0.95),
    };
  } finally {
    children();
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    if (code !== 0) process.stderr.write(`serve exited with ${code}:\n${stderr}\n`);
  }
}

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args.splice(repsAt, 2)[1]) : 3;
const names = args.length > 0 ? args : Object.keys(VARIANTS);
for (const name of names) if (!(name in VARIANTS)) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS)}`);

const f = (n: number, digits = 0) => n.toFixed(digits);
const range = (runs: Run[], pick: (r: Run) => number, digits = 0, scale = 1) => {
  const values = runs.map((r) => pick(r) * scale);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo.toFixed(digits) === hi.toFixed(digits) ? f(lo, digits) : `${f(lo, digits)}–${f(hi, digits)}`;
};
const rows: Record<string, string>[] = [];
for (const name of names) {
  const variant = VARIANTS[name] as Variant;
  const first: Run[] = [];
  const second: Run[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const cwd = await mkdtemp(join(tmpdir(), 'exo-memory-'));
    try {
      first.push(await runOnce(variant, cwd, `${rep}a`));
      second.push(await runOnce(variant, cwd, `${rep}b`));
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }
  for (const [run, runs] of [
    ['first', first],
    ['second', second],
  ] as const) {
    const row = {
      variant: name,
      run,
      'listening s': range(runs, (r) => r.listeningMs, 2, 1 / 1000),
      'ready s': range(runs, (r) => r.readyMs, 2, 1 / 1000),
      'start-up call max ms': range(runs, (r) => r.startMaxMs),
      'steady MB': range(runs, (r) => r.steadyMb),
      'peak MB': range(runs, (r) => r.peakMb),
      'child peak MB': range(runs, (r) => r.childPeakMb),
      'sum peak MB': range(runs, (r) => r.sumPeakMb),
      'webhook p50/p95 ms': `${range(runs, (r) => r.hookP50, 1)} / ${range(runs, (r) => r.hookP95, 1)}`,
      'admin read p50/p95 ms': `${range(runs, (r) => r.adminP50, 1)} / ${range(runs, (r) => r.adminP95, 1)}`,
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
console.table(rows);
