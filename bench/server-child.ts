/**
 * A server for the benchmarks, in its own process so the load generator never shares its event loop:
 * `serve` — the real server (startServer) on the stores the environment names, logging nothing per request;
 * `bare`  — a bare Express 5 app answering GET /passthru-handler and /gather-response with a constant ExoML body
 *           (BENCH_SAMPLE), the ceiling a handler on the same framework can reach on this machine.
 * Prints one JSON line `{"url": …}` when listening, and exits on SIGTERM after closing.
 */
import { once } from 'node:events';
import express from 'express';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server/start.ts';
import { openServerStores } from '../src/stores/open.ts';

const mode = process.argv[2];
const env = process.env;

async function bare(): Promise<{ url: string; close: () => Promise<void> }> {
  const sample = env.BENCH_SAMPLE ?? '<?xml version="1.0" encoding="UTF-8"?><Response><Say>ok</Say></Response>';
  const app = express();
  app.disable('x-powered-by');
  const answer = (_req: express.Request, res: express.Response) => {
    res.type('text/xml; charset=utf-8').send(sample);
  };
  app.get('/passthru-handler', answer);
  app.get('/gather-response', answer);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function serve(): Promise<{ url: string; close: () => Promise<void> }> {
  const config = loadConfig({
    env: { REDIS_URL: env.REDIS_URL, DATABASE_URL: env.DATABASE_URL },
    flags: {
      port: 0,
      host: '127.0.0.1',
      databaseSchema: env.BENCH_SCHEMA,
      redisPrefix: env.BENCH_PREFIX,
      dataDir: 'memory',
      spoolDir: 'memory',
      sessionTtl: 300,
      agentNumber: '+919812345678',
      exophone: '08047112233',
    },
  });
  const errors: string[] = [];
  const server = await startServer(config, {
    cwd: process.cwd(),
    logger: { info: () => {}, error: (message) => errors.push(message) },
    openStores: (resolved, context) => openServerStores(resolved, context),
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      if (errors.length > 0) process.stderr.write(`${errors.length} server error(s), first: ${errors[0]}\n`);
    },
  };
}

const running = mode === 'bare' ? await bare() : mode === 'serve' ? await serve() : undefined;
if (!running) throw new Error('usage: node bench/server-child.ts serve|bare');
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
await once(process, 'SIGTERM');
await running.close();
process.exit(0);
