/**
 * A bounded loopback load loop over undici: `connections` keep-alive clients each send requests back to back
 * until `requests` are done; returns requests/s and latency percentiles. No external load tool needed.
 */
import { Pool } from 'undici';

export type LoadResult = { requests: number; seconds: number; rps: number; p50: number; p99: number; errors: number };

export async function load(
  origin: string,
  makePath: (i: number) => string,
  options: { requests: number; connections: number; method?: 'GET' | 'POST'; expectStatus?: number },
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.requests) return;
      const t0 = performance.now();
      const res = await pool.request({ path: makePath(i), method: options.method ?? 'GET' });
      await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode !== (options.expectStatus ?? 200)) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: options.requests,
    seconds,
    rps: options.requests / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
  };
}
