/**
 * `npm run bench`: serve's benchmarks, each a ratio against a baseline measured in the same run, printed as a
 * table and written to bench/results.json. Real Redis + PostgreSQL rows run when REDIS_URL and DATABASE_URL are
 * set (own key prefix and schema, removed afterwards); the embedded defaults (memory + PGlite) always run.
 * BENCH_REQUESTS (default 20000) and BENCH_CONNECTIONS (100) size the endpoint runs, BENCH_CALLS (10000) the
 * campaign. `url --csv` and `validate` have their own: `npm run bench:url`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { benchCampaign, benchEndpoints, type Pair, type Stores } from './serve.ts';

const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const real: Stores | undefined =
  process.env.REDIS_URL && process.env.DATABASE_URL ? { redisUrl: process.env.REDIS_URL, databaseUrl: process.env.DATABASE_URL } : undefined;
const embedded: Stores = { redisUrl: undefined, databaseUrl: undefined };

const pairs: Pair[] = [];
if (real) pairs.push(...(await benchEndpoints(real, { requests, connections, label: 'Redis + PostgreSQL' })));
else console.log('REDIS_URL / DATABASE_URL unset: the real-store rows are not run');
pairs.push(...(await benchEndpoints(embedded, { requests, connections, label: 'memory + PGlite' })));
const campaign = await benchCampaign(real ?? embedded, { calls, concurrency: connections });

const f1 = (n: number) => n.toFixed(1);
const rows = pairs.map((p) => ({
  benchmark: p.name,
  'serve req/s': Math.round(p.serve.rps),
  'bare Express req/s': Math.round(p.bare.rps),
  ratio: p.ratio.toFixed(3),
  'serve p50 ms': f1(p.serve.p50),
  'serve p99 ms': f1(p.serve.p99),
  errors: p.serve.errors,
}));
console.log(`${requests} requests per row, ${connections} connections; baseline: a bare Express 5 handler answering the same ExoML`);
console.table(rows);
console.log(
  `campaign (${real ? 'Redis + PostgreSQL' : 'memory + PGlite'}): ${calls} whole calls at concurrency ${connections} in ${f1(campaign.campaignMs / 1000)} s ` +
    `(${f1(campaign.callsPerSecond)} calls/s) vs the same first requests blind in ${f1(campaign.blindMs / 1000)} s: ratio ${campaign.ratio.toFixed(2)} (target <= 1.5), errors ${campaign.errors}`,
);
const results = { at: new Date().toISOString(), node: process.version, requests, connections, endpoints: pairs, campaign };
await writeFile(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
if (pairs.some((p) => p.serve.errors > 0) || campaign.errors > 0) process.exitCode = 1;
