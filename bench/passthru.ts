/**
 * Requests/s of `/passthru-handler` (session write + customer/call/event upsert + ExoML), against a baseline
 * measured in the same run: a bare node:http server answering the same-sized XML body on the same machine.
 * Stores: real Redis/PostgreSQL when REDIS_URL / DATABASE_URL are set (own prefix/schema, cleaned up), else
 * embedded (memory + in-memory PGlite).
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { createMemoryLogger } from '../src/server/logger.ts';
import { startServer } from '../src/server/start.ts';
import { openServerStores } from '../src/stores/open.ts';
import { load } from './http-load.ts';

export async function benchPassthru(options: { requests: number; connections: number }) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  // Only the stores come from the environment; the rest is fixed so runs compare.
  const config = loadConfig({
    env: { REDIS_URL: process.env.REDIS_URL, DATABASE_URL: process.env.DATABASE_URL },
    flags: {
      port: 0,
      host: '127.0.0.1',
      databaseSchema: schema,
      redisPrefix: prefix,
      dataDir: 'memory',
      sessionTtl: 300,
      baseUrl: 'https://bot.example.com',
      agentNumber: '+919812345678',
      exophone: '08047112233',
    },
  });
  // One line per request would measure the logger: only errors are kept.
  const server = await startServer(config, { cwd: process.cwd(), logger: { info: () => {}, error: createMemoryLogger().error }, openStores: openServerStores });
  const path = (i: number) =>
    `/passthru-handler?CallSid=bench${i}x${prefix.slice(6, 14)}&customer_id=cust_${i % 500}&customer_name=Riddhi+Mittal&loan_id=LOAN${i}&amount=15000&due_date=2025-08-11&language_code=hi-IN&From=%2B917417119014&To=04446972509&CallStatus=in-progress`;
  const sample = await (await fetch(`${server.url}${path(0)}`)).text();

  const baseline = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(sample);
  });
  baseline.listen(0, '127.0.0.1');
  await once(baseline, 'listening');
  const address = baseline.address();
  const baselineUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  await load(server.url, path, { requests: 200, connections: options.connections }); // warm-up
  await load(baselineUrl, path, { requests: 200, connections: options.connections });
  const base = await load(baselineUrl, path, options);
  const real = await load(server.url, (i) => path(i + 1000), options);

  baseline.close();
  await server.close();
  if (server.stores.history === 'postgres') {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: config.databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  if (server.stores.sessions === 'redis' && config.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl);
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
  return { stores: server.stores, baseline: base, passthru: real, ratio: real.rps / base.rps };
}
