/**
 * `npm run bench`: serve's benchmarks, each a ratio against a baseline measured in the same run, printed as a
 * table and written to bench/results.json. Real Redis + PostgreSQL rows run when REDIS_URL and DATABASE_URL are
 * set (own key prefix and schema, removed afterwards); the embedded defaults (memory + PGlite) always run.
 * BENCH_REQUESTS (default 20000) and BENCH_CONNECTIONS (100) size the endpoint runs, BENCH_CALLS (10000) the
 * campaign. `url --csv`'s ratios against csv-parse (unsigned and --sign, target ≥ 0.5) and its peak RSS (target
 * ≤ 150 MB) follow, over BENCH_URL_ROWS (default 1,000,000) generated rows; `npm run bench:url` has more of its
 * figures, and `validate` has its own (`npm run bench:validate`).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { benchCampaign, benchEndpoints, type Pair, type Stores } from './serve.ts';
import { benchUrlCsv } from './url-csv.ts';

const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const urlRows = Number(process.env.BENCH_URL_ROWS ?? 1_000_000);
const real: Stores | undefined =
  process.env.REDIS_URL && process.env.DATABASE_URL
    ? { redisUrl: process.env.REDIS_URL, databaseUrl: process.env.DATABASE_URL }
    : undefined;
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
console.log(
  `${requests} requests per row, ${connections} connections; baseline: a bare Express 5 handler answering the same ExoML`,
);
console.table(rows);
console.log(
  `campaign (${real ? 'Redis + PostgreSQL' : 'memory + PGlite'}): ${calls} whole calls at concurrency ${connections} in ${f1(campaign.campaignMs / 1000)} s ` +
    `(${f1(campaign.callsPerSecond)} calls/s) vs the same first requests blind in ${f1(campaign.blindMs / 1000)} s: ratio ${campaign.ratio.toFixed(2)} (target <= 1.5), errors ${campaign.errors}`,
);
const url = await benchUrlCsv(urlRows);
const peakRssMb = Math.max(url.unsigned.peakRssMb, url.signed.peakRssMb);
console.table([
  {
    benchmark: `url --csv, ${urlRows} rows`,
    'csv-parse rows/s': Math.round(url.baseline.rowsPerSecond),
    'url rows/s': Math.round(url.unsigned.rowsPerSecond),
    'url --sign rows/s': Math.round(url.signed.rowsPerSecond),
    'ratio unsigned': url.unsignedRatio.toFixed(3),
    'ratio --sign': url.signedRatio.toFixed(3),
    'peak RSS MB': f1(peakRssMb),
  },
]);
console.log(
  `url --csv (baseline: csv-parse with columns: true, same rows): ratio unsigned ${url.unsignedRatio.toFixed(3)}, --sign ${url.signedRatio.toFixed(3)} (target >= 0.5); peak RSS ${f1(peakRssMb)} MB (target <= 150)`,
);
const results = {
  at: new Date().toISOString(),
  node: process.version,
  requests,
  connections,
  endpoints: pairs,
  campaign,
  urlCsv: { rows: urlRows, ...url },
};
await writeFile(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
if (pairs.some((p) => p.serve.errors > 0) || campaign.errors > 0) process.exitCode = 1;
