/** `exo-passthru serve`: the pass-through bot server, on Redis/PostgreSQL or on embedded defaults. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** The server's modules (express and the store adapters) load only when serve runs, not for every command. */
async function loadServerModules() {
  const [prompts, app, listen, logger, outbox, stores] = await Promise.all([
    import('../../flow/prompts.ts'),
    import('../../server/app.ts'),
    import('../../server/listen.ts'),
    import('../../server/logger.ts'),
    import('../../server/outbox.ts'),
    import('../../stores/open.ts'),
  ]);
  return { ...prompts, ...app, ...listen, ...logger, ...outbox, ...stores };
}

type ServeOptions = {
  port?: string;
  host?: string;
  baseUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir?: string;
  agentNumber?: string;
  exophone?: string;
  sessionTtl?: string;
  brand?: string;
  botName?: string;
  promptsDir?: string;
};

const EXAMPLES = `
Examples:
  $ exo-passthru serve                                  # embedded stores: in-memory sessions, PGlite in ./.exo-passthru
  $ exo-passthru serve --port 0 --json                  # any free port; prints {"url":…} on stdout
  $ REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test exo-passthru serve
  $ exo-passthru serve --base-url https://bot.example.com --agent-number +919800000001 --exophone 08047112233
  $ WEBHOOK_KEY=s3cret exo-passthru serve               # webhooks then need ?key=s3cret (or a signed URL)

Endpoints:
  GET|POST /passthru-handler   greeting + <Gather> (customer fields from the query/form or CustomField)
  GET|POST /gather-response    digit from digits="1" | DigitsPressed | Digits → <Dial> agent, goodbye or re-prompt
  GET      /health             200 when Redis and the history store answer, 503 naming the one that does not
  GET      /admin/...          read-only sessions and calls for 'inspect' (Authorization: Bearer <ADMIN_TOKEN>)`;

export function registerServe(program: Command, ctx: CliContext): Command {
  return program
    .command('serve')
    .description('run the Exotel pass-through bot server (webhooks, health, admin API)')
    .option('-p, --port <port>', 'port to listen on, 0 = any free port (env PORT, default 8000)')
    .option('--host <host>', 'interface to bind (env HOST, default 127.0.0.1)')
    .option('--base-url <url>', 'public base URL for absolute Gather action URLs (env BASE_URL)')
    .option('--redis-url <url>', 'Redis for sessions (env REDIS_URL; default: in-memory)')
    .option('--redis-prefix <prefix>', 'Redis key prefix (env REDIS_PREFIX)')
    .option('--database-url <url>', 'PostgreSQL for call history (env DATABASE_URL; default: embedded PGlite)')
    .option('--database-schema <name>', 'PostgreSQL schema (env DATABASE_SCHEMA, default public)')
    .option('--data-dir <dir>', "PGlite directory, or 'memory' (env DATA_DIR, default .exo-passthru/pglite)")
    .option('--agent-number <number>', 'number <Dial> connects to on "press 1" (env AGENT_NUMBER)')
    .option('--exophone <number>', 'your ExoPhone, used as Dial callerId (env EXOPHONE)')
    .option('--session-ttl <seconds>', 'session lifetime (env SESSION_TTL, default 7200)')
    .option('--brand <name>', 'company named in the greeting (env BRAND_NAME)')
    .option('--bot-name <name>', 'bot persona named in the greeting (env BOT_NAME)')
    .option('--prompts-dir <dir>', 'folder of <lang>.json files overriding the bundled prompts (env PROMPTS_DIR)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: ServeOptions) => {
      const config = await ctx.loadConfig({
        port: options.port,
        host: options.host,
        baseUrl: options.baseUrl,
        redisUrl: options.redisUrl,
        redisPrefix: options.redisPrefix,
        databaseUrl: options.databaseUrl,
        databaseSchema: options.databaseSchema,
        dataDir: options.dataDir,
        agentNumber: options.agentNumber,
        exophone: options.exophone,
        sessionTtl: options.sessionTtl,
        brandName: options.brand,
        botName: options.botName,
        promptsDir: options.promptsDir,
      });
      const { loadPrompts, createApp, listen, createStreamLogger, createOutbox, openStores } = await loadServerModules();
      const out = ctx.output();
      const { debug } = ctx.globals();
      const logger = createStreamLogger((line) => ctx.io.stderr.write(line), { debug });
      const resolve = (path: string) => (isAbsolute(path) ? path : join(ctx.io.cwd, path));
      const prompts = await loadPrompts(config.promptsDir === undefined ? undefined : resolve(config.promptsDir));
      const dataDir = config.dataDir === 'memory' ? 'memory' : resolve(config.dataDir);
      const stores = await openStores({ ...config, dataDir });
      const admin = config.adminToken
        ? { token: config.adminToken, loopbackOnly: false }
        : { token: randomBytes(24).toString('base64url'), loopbackOnly: true };
      const outbox = createOutbox({
        logger,
        onUndelivered: (writes) => {
          for (const write of writes) ctx.io.stderr.write(`undelivered: ${JSON.stringify(write)}\n`);
        },
      });
      const app = createApp({
        sessions: stores.sessions,
        history: stores.history,
        outbox,
        logger,
        flow: { prompts, brandName: config.brandName, botName: config.botName, agentNumber: config.agentNumber, exophone: config.exophone },
        sessionTtl: config.sessionTtl,
        baseUrl: config.baseUrl,
        webhookKey: config.webhookKey,
        admin,
      });
      let server;
      try {
        server = await listen(app, { port: config.port, host: config.host });
      } catch (error) {
        await stores.close();
        throw error;
      }
      let tokenFile: string | undefined;
      if (!config.adminToken) {
        tokenFile = join(ctx.io.cwd, '.exo-passthru', 'admin-token');
        await mkdir(dirname(tokenFile), { recursive: true });
        await writeFile(tokenFile, `${admin.token}\n`, { mode: 0o600 });
      }
      const kinds = stores.describe();
      if (out.json) out.printJsonLine({ url: server.url, port: server.port, stores: kinds, adminTokenFile: tokenFile ?? null });
      else out.result(server.url);
      out.info(
        `exo-passthru serve listening on ${server.url} (sessions: ${kinds.sessions}, history: ${kinds.history}${kinds.history === 'pglite' ? ` at ${dataDir}` : ''})`,
      );
      if (tokenFile) out.info(`admin API: loopback only, token in ${tokenFile}`);
      if (!config.webhookKey) out.info('webhooks are open: set WEBHOOK_KEY to require ?key=');

      await new Promise<void>((done) => {
        let stopping = false;
        const unsubscribe = ctx.io.onSignal((signal) => {
          if (stopping) return;
          stopping = true;
          out.info(`${signal}: finishing in-flight requests, closing stores`);
          const step = async (what: string, fn: () => Promise<void>) => {
            try {
              await fn();
            } catch (error) {
              logger.error(`shutdown: ${what} failed`, error);
            }
          };
          void (async () => {
            await step('closing the HTTP server', () => server.close());
            await step('flushing history writes', () => outbox.close());
            await step('closing stores', () => stores.close());
            unsubscribe();
            out.info('stopped');
          })().finally(done);
        });
      });
    });
}
