/** `exo-passthru serve`: the pass-through bot server, on Redis/PostgreSQL or on embedded defaults. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { RunningServer } from '../../server/start.ts';
import type { CliContext } from '../context.ts';
import type { Output } from '../output.ts';

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
      // The server's modules (express and the store adapters) load only when serve runs, not for every command.
      const [{ startServer }, { createStreamLogger }, { openStores }] = await Promise.all([
        import('../../server/start.ts'),
        import('../../server/logger.ts'),
        import('../../stores/open.ts'),
      ]);
      const logger = createStreamLogger((line) => ctx.io.stderr.write(line), { debug: ctx.globals().debug });
      const server = await startServer(config, {
        cwd: ctx.io.cwd,
        logger,
        openStores,
        onUndelivered: (writes) => {
          for (const write of writes) ctx.io.stderr.write(`undelivered: ${JSON.stringify(write)}\n`);
        },
      });
      let tokenFile: string | undefined;
      try {
        // inspect reads a generated token from this file; one set in ADMIN_TOKEN is the user's to share.
        if (!config.adminToken) tokenFile = await writeAdminToken(ctx.io.cwd, server.admin.token);
      } catch (error) {
        await server.close();
        throw error;
      }
      announce(ctx.output(), server, tokenFile, Boolean(config.webhookKey));
      await stopOnSignal(ctx, server);
    });
}

/** `.exo-passthru/admin-token` in the working directory, readable by its owner only. */
async function writeAdminToken(cwd: string, token: string): Promise<string> {
  const file = join(cwd, '.exo-passthru', 'admin-token');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}

function announce(out: Output, server: RunningServer, tokenFile: string | undefined, keyed: boolean): void {
  const kinds = server.stores;
  if (out.json) out.printJsonLine({ url: server.url, port: server.port, stores: kinds, adminTokenFile: tokenFile ?? null });
  else out.result(server.url);
  out.info(
    `exo-passthru serve listening on ${server.url} (sessions: ${kinds.sessions}, history: ${kinds.history}${kinds.history === 'pglite' ? ` at ${server.dataDir}` : ''})`,
  );
  if (tokenFile) out.info(`admin API: loopback only, token in ${tokenFile}`);
  if (!keyed) out.info('webhooks are open: set WEBHOOK_KEY to require ?key=');
}

/** Runs until SIGINT/SIGTERM, then closes the server (a second signal while closing is ignored). */
function stopOnSignal(ctx: CliContext, server: RunningServer): Promise<void> {
  const out = ctx.output();
  return new Promise<void>((done) => {
    let stopping = false;
    const unsubscribe = ctx.io.onSignal((signal) => {
      if (stopping) return;
      stopping = true;
      out.info(`${signal}: finishing in-flight requests, closing stores`);
      void server
        .close()
        .then(() => {
          unsubscribe();
          out.info('stopped');
        })
        .finally(done);
    });
  });
}
