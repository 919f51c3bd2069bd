/** `npm run bench`: every benchmark, each printing its figure and its ratio to a baseline measured in the same run. */
import { benchPassthru } from './passthru.ts';

const fmt = (n: number) => n.toFixed(1);
const requests = Number(process.env.BENCH_REQUESTS ?? 5000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

const r = await benchPassthru({ requests, connections });
console.log(`passthru-handler (sessions: ${r.stores.sessions}, history: ${r.stores.history}; ${requests} requests, ${connections} connections)`);
console.log(`  baseline  bare node:http, same XML: ${fmt(r.baseline.rps)} req/s  p50 ${fmt(r.baseline.p50)} ms  p99 ${fmt(r.baseline.p99)} ms`);
console.log(`  passthru  full handler:             ${fmt(r.passthru.rps)} req/s  p50 ${fmt(r.passthru.p50)} ms  p99 ${fmt(r.passthru.p99)} ms  errors ${r.passthru.errors}`);
console.log(`  ratio     passthru / baseline:      ${r.ratio.toFixed(3)}`);
if (r.passthru.errors > 0) process.exitCode = 1;
