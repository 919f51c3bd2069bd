/**
 * serve's throughput and latency against ceilings measured in the same run, each server in a child process and
 * the load from this one (a keep-alive undici pool, `connections` at once):
 * - /passthru-handler and /gather-response on the given stores vs a bare Express 5 constant-ExoML handler;
 * - a whole-call campaign (`simulate campaign`, the CLI as users run it) vs the same first requests fired blind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { load, type LoadResult } from './http-load.ts';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export type Stores = { redisUrl: string | undefined; databaseUrl: string | undefined };
export type Started = { url: string; stop: () => Promise<void> };

export async function startChild(mode: 'serve' | 'bare', env: Record<string, string | undefined>, extraArgs: string[] = []): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, [...extraArgs, CHILD, mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench ${mode} server exited with ${code}`)));
  });
  return {
    url: (JSON.parse(line) as { url: string }).url,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const passthruPath = (tag: string) => (i: number) =>
  `/passthru-handler?CallSid=${tag}${i}&customer_id=cust_${i % 500}&customer_name=Riddhi+Mittal&loan_id=LOAN${i}&amount=15000&due_date=2025-08-11&language_code=hi-IN&CallFrom=09876543210&CallTo=08047112233&Direction=outbound-api`;
export const gatherPath = (tag: string) => (i: number) => `/gather-response?CallSid=${tag}${i}&lang=hi&attempt=1&customer_id=cust_${i % 500}&DigitsPressed=1`;

export type Pair = { name: string; serve: LoadResult; bare: LoadResult; ratio: number };

/** Passthru then Gather on `serve`, the same against `bare`; warm-up first, so JIT and pools are hot. */
export async function benchEndpoints(stores: Stores, options: { requests: number; connections: number; label: string }): Promise<Pair[]> {
  const tag = `b${randomBytes(3).toString('hex')}x`;
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const server = await startChild('serve', { REDIS_URL: stores.redisUrl, DATABASE_URL: stores.databaseUrl, BENCH_SCHEMA: schema, BENCH_PREFIX: prefix });
  const sample = await (await fetch(`${server.url}${passthruPath('sample')(0)}`)).text();
  const bare = await startChild('bare', { BENCH_SAMPLE: sample });
  const run = (origin: string, path: (i: number) => string, offset: number) => load(origin, (i) => path(i + offset), options);
  try {
    await run(server.url, passthruPath(`${tag}w`), 0);
    await run(bare.url, passthruPath(`${tag}w`), 0);
    const pairs: Pair[] = [];
    for (const [name, path] of [['/passthru-handler', passthruPath(tag)], ['/gather-response', gatherPath(tag)]] as const) {
      const b = await run(bare.url, path, 0);
      const s = await run(server.url, path, 0);
      pairs.push({ name: `${name} (${options.label})`, serve: s, bare: b, ratio: s.rps / b.rps });
    }
    return pairs;
  } finally {
    await bare.stop();
    await server.stop();
    await cleanup(stores, schema, prefix);
  }
}

export async function cleanup(stores: Stores, schema: string, prefix: string) {
  if (stores.databaseUrl) {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: stores.databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  if (stores.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(stores.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}

const BIN = fileURLToPath(new URL('../bin/exo-passthru.js', import.meta.url));

export type CampaignBench = { calls: number; campaignMs: number; blindMs: number; ratio: number; errors: number; callsPerSecond: number };

/**
 * `simulate campaign` (whole calls: Passthru, Gather, digits) over `calls` customers at `concurrency`, against
 * the same first requests fired blind (no flow followed); both against one serve on the given stores.
 */
export async function benchCampaign(stores: Stores, options: { calls: number; concurrency: number }): Promise<CampaignBench> {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const dir = await mkdtemp(join(tmpdir(), 'exo-bench-'));
  const server = await startChild('serve', { REDIS_URL: stores.redisUrl, DATABASE_URL: stores.databaseUrl, BENCH_SCHEMA: schema, BENCH_PREFIX: prefix });
  try {
    const rows = Array.from({ length: options.calls }, (_, i) => `C${i},Riddhi Mittal,+91${7000000000 + i},L${i},15000,2026-08-11,hi-IN`);
    const csv = join(dir, 'customers.csv');
    await writeFile(csv, `customer_id,customer_name,phone,loan_id,amount,due_date,language_code\n${rows.join('\n')}\n`);
    const blindPath = (i: number) =>
      `/passthru-handler?CallSid=blind${i}&customer_id=C${i}&customer_name=Riddhi+Mittal&phone=%2B91${7000000000 + i}&loan_id=L${i}&amount=15000&due_date=2026-08-11&language_code=hi-IN`;
    await load(server.url, blindPath, { requests: 1000, connections: options.concurrency }); // warm-up
    const blind = await load(server.url, (i) => blindPath(i + 1000), { requests: options.calls, connections: options.concurrency });
    const child = spawn(
      process.execPath,
      [BIN, '--json', 'simulate', 'campaign', `${server.url}/passthru-handler`, '--csv', csv, '--concurrency', String(options.concurrency), '--calls', String(options.calls), '--dtmf', '1:50,2:30,none:20'],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await once(child, 'exit');
    const report = JSON.parse(out) as { throughput: { wallMs: number; callsPerSecond: number }; funnel: { errors: number; timeouts: number } };
    const campaignMs = report.throughput.wallMs;
    const blindMs = blind.seconds * 1000;
    return { calls: options.calls, campaignMs, blindMs, ratio: campaignMs / blindMs, errors: report.funnel.errors + report.funnel.timeouts + blind.errors, callsPerSecond: report.throughput.callsPerSecond };
  } finally {
    await server.stop();
    await cleanup(stores, schema, prefix);
    await rm(dir, { recursive: true, force: true });
  }
}
