/** `exo-passthru serve`: the pass-through bot server, on Redis/PostgreSQL or on embedded defaults. */
import type { Command } from 'commander';
import type { SettingKey } from '../../config.ts';
import type { RunningServer } from '../../server/start.ts';
import { createLocalTokenDir, removeAdminTokenFiles, writeAdminTokenFiles } from '../admin-token-files.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../../errors.ts';
import { describeError } from '../errors.ts';
import { loadFlow } from '../flow-file.ts';
import type { Output } from '../output.ts';
import { addSettingOptions, settingFlags } from '../settings.ts';

/** The settings serve takes as flags: all but the two secrets (WEBHOOK_KEY, ADMIN_TOKEN), which it reads from the environment or .env only. */
export const SERVE_SETTINGS = [
  'port',
  'host',
  'baseUrl',
  'redisUrl',
  'redisPrefix',
  'databaseUrl',
  'databaseSchema',
  'dataDir',
  'spoolDir',
  'spoolMaxBytes',
  'historyBatchMax',
  'historyBatchWaitMs',
  'storeTimeoutMs',
  'agentNumber',
  'exophone',
  'sessionTtl',
  'brandName',
  'botName',
  'promptsDir',
] as const satisfies readonly SettingKey[];

const EXAMPLES = `
Examples:
  $ exo-passthru serve                                  # embedded stores: in-memory sessions, PGlite in ./.exo-passthru
  $ exo-passthru serve --port 0 --json                  # any free port; prints {"url":…} on stdout
  $ REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test exo-passthru serve
  $ exo-passthru serve --base-url https://bot.example.com --agent-number +919800000001 --exophone 08047112233
  $ WEBHOOK_KEY=s3cret exo-passthru serve               # webhooks then need ?key=s3cret (or a signed URL)
  $ exo-passthru serve --mock-exotel-api --flow flow.yaml   # then: exo-passthru trigger call --from 09812345678
  $ exo-passthru serve --mock-exotel-api --mock-digits 1    # the mock's callees press 1: the agent branch

Endpoints:
  GET|POST /passthru-handler   greeting + <Gather> (customer fields from the query/form or CustomField)
  GET|POST /gather-response    digit from digits="1" | DigitsPressed | Digits → <Dial> agent, goodbye or re-prompt
  GET      /exotel/passthru     App Bazaar Passthru: digits "1" → 200, other/none → 302 (Exotel reads only the status)
  GET      /exotel/gather       Gather applet JSON;  GET /exotel/connect: Connect applet JSON
  GET|HEAD /exotel/greeting     Greeting applet text/plain;  POST /exotel/status-callback: StatusCallback
  POST     /v1/Accounts/:sid/Calls/connect(.json)   with --mock-exotel-api: Exotel's Calls API, offline; an
                               accepted call walks --flow (default: the bundled collections flow) over HTTP
                               against this server, the callee pressing --mock-digits (default nothing), then
                               POSTs its StatusCallback
  GET      /health             200 when Redis and the history store answer, 503 naming the one that does not
  GET      /admin/...          read-only sessions and calls for 'inspect' (Authorization: Bearer <ADMIN_TOKEN>)

Admin token: without ADMIN_TOKEN, serve generates one (loopback clients only) and writes it, mode 0600, to
.exo-passthru/admin-token-<port> and to admin-token-<port> in $XDG_RUNTIME_DIR/exo-passthru (else ~/.exo-passthru),
where 'inspect --server http://127.0.0.1:<port>' finds it from any directory; .exo-passthru/admin-token holds the
most recent one. SIGINT/SIGTERM removes the files that still hold this server's token.`;

export function registerServe(program: Command, ctx: CliContext): Command {
  const command = program
    .command('serve')
    .description('run the Exotel pass-through bot server (webhooks, health, admin API)');
  command.option(
    '--mock-exotel-api',
    "also serve Exotel's Calls/connect API as a mock (POST /v1/Accounts/:sid/Calls/connect)",
  );
  command.option(
    '--mock-digits <keys>',
    'with --mock-exotel-api: the keys its callees press, one group per Gather (1 | 2,1); default: none',
  );
  command.option(
    '--flow <file>',
    'with --mock-exotel-api: the App Bazaar flow file its calls walk (default: the bundled collections flow)',
  );
  return addSettingOptions(command, SERVE_SETTINGS)
    .addHelpText('after', EXAMPLES)
    .action(async (options: Record<string, unknown>) => {
      const config = await ctx.loadConfig(settingFlags(options, SERVE_SETTINGS));
      for (const flag of ['flow', 'mockDigits'] as const)
        if (typeof options[flag] === 'string' && options.mockExotelApi !== true)
          throw new UsageError(
            `${flag === 'flow' ? '--flow' : '--mock-digits'} is for the mock Calls API: add --mock-exotel-api`,
          );
      const mockDigits = typeof options.mockDigits === 'string' ? mockDigitGroups(options.mockDigits) : undefined;
      // A mistake in the flow file is a usage error (file:line:col) before anything listens.
      const mockFlow = typeof options.flow === 'string' ? await loadFlow(ctx, options.flow) : undefined;
      // Opening embedded PGlite takes seconds on a first run: say at once that something is happening.
      ctx.output().info('exo-passthru serve starting…');
      // The server's modules (express and the store adapters) load only when serve runs, not for every command.
      const [{ startServer }, { createStreamLogger }, { openServerStores }] = await Promise.all([
        import('../../server/start.ts'),
        import('../../server/logger.ts'),
        import('../../stores/open.ts'),
      ]);
      const logger = createStreamLogger((line) => ctx.io.stderr.write(line), {
        debug: ctx.globals().debug,
        describe: (e) => describeError(e).message,
      });
      // Owner-only before the stores open: the default PGlite directory lies inside it too.
      if (!config.adminToken) await createLocalTokenDir(ctx.io.cwd);
      const server = await startServer(config, {
        cwd: ctx.io.cwd,
        logger,
        mockExotelApi: options.mockExotelApi === true,
        ...(mockFlow || mockDigits
          ? { mockCalls: { ...(mockFlow ? { flow: mockFlow } : {}), ...(mockDigits ? { digits: mockDigits } : {}) } }
          : {}),
        openStores: (resolved, context) => openServerStores(resolved, context),
        // The last resort for history the spool could not take (full, or a failing disk): the whole write, as
        // one JSON line, so it can be recovered from the log rather than silently dropped.
        onLost: (writes) => {
          for (const write of writes) ctx.io.stderr.write(`lost history write: ${JSON.stringify(write)}\n`);
        },
      });
      let tokenFile: string | undefined;
      try {
        // inspect reads a generated token from these files (one per port); one set in ADMIN_TOKEN is the user's to share.
        if (!config.adminToken) tokenFile = await writeAdminTokenFiles(ctx.io, server.port, server.admin.token);
      } catch (error) {
        await server.close();
        throw error;
      }
      announce(ctx.output(), server, tokenFile, Boolean(config.webhookKey));
      await stopOnSignal(ctx, server);
      // A stopped server's token is dead: left behind, it would pile up and be offered for the next server on
      // this port. Only the files that still hold this server's token go (admin-token-files.ts).
      if (tokenFile) await removeAdminTokenFiles(ctx.io, server.port, server.admin.token);
    });
}

/** `--mock-digits 2,1`: one group of keys per Gather, as simulate's --digits (an empty group: nothing pressed). */
function mockDigitGroups(raw: string): string[] {
  const groups = raw.split(',').map((group) => group.replace(/\s+/g, ''));
  if (groups.some((group) => !/^[0-9*#]*$/.test(group)))
    throw new UsageError(`--mock-digits ${JSON.stringify(raw)}: only 0-9, * and #, one group per Gather`, {
      hint: '--mock-digits 1 | --mock-digits 2,1',
    });
  return groups;
}

function announce(out: Output, server: RunningServer, tokenFile: string | undefined, keyed: boolean): void {
  const kinds = server.stores;
  if (out.json)
    out.printJsonLine({ url: server.url, port: server.port, stores: kinds, adminTokenFile: tokenFile ?? null });
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
