/** `exo-passthru serve`: the pass-through bot server, on Redis/PostgreSQL or on embedded defaults. */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { type Config, SETTINGS, type SettingKey } from '../../config.ts';
import { errorMessage, UsageError } from '../../errors.ts';
import type { CallRecorder } from '../../scenarios/recorder.ts';
import type { Logger } from '../../server/logger.ts';
import type { ReloadResult, RunningServer } from '../../server/start.ts';
import { createLocalTokenDir, removeAdminTokenFiles, writeAdminTokenFiles } from '../admin-token-files.ts';
import type { CliContext } from '../context.ts';
import { describeError } from '../errors.ts';
import { loadFlow } from '../flow-file.ts';
import type { Output } from '../output.ts';
import { addSettingOptions, settingFlags } from '../settings.ts';
import { watchFiles } from '../watch-files.ts';

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
  'inspectRingSize',
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
  $ exo-passthru serve --record calls/                  # each call as a scenario file: exo-passthru test calls/
  $ exo-passthru serve --record calls/ --record-pii     # … keeping phone numbers and names (personal data!)

  $ exo-passthru serve --watch --prompts-dir my-prompts  # edit my-prompts/*.json or .env: the next call uses them
Recording: with --record <dir>, every call's webhooks are saved as one scenario file in <dir> (created if
missing) when the call ends (Hangup, a Dial, an error or the StatusCallback), and calls still open when serve
stops. Files are named <time>-<hash of the CallSid>.yaml. Phone numbers and the customer name become placeholders
(+919000000001…, "Customer A") and dial: is left out, unless --record-pii. A file that cannot be written is
logged; serve goes on. Replay with: exo-passthru test --url http://127.0.0.1:<port>/passthru-handler <dir>

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
  GET      /admin/...          read-only sessions and calls for 'inspect' (Authorization: Bearer <ADMIN_TOKEN>);
                               /admin/calls/<CallSid>/scenario[?pii=1]: a recent call as scenario YAML
  GET      /_inspect           the browser call inspector, live ('inspect --web' opens it with the admin token)

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
  command.option(
    '--record <dir>',
    'save each call as a scenario file in this directory (exo-passthru test replays it)',
  );
  command.option('--record-pii', 'with --record: keep phone numbers and names in the files (default: placeholders)');
  command.option(
    '--watch',
    'reload --prompts-dir and .env (or --env-file) when they change; calls in flight finish on the old ones',
  );
  return addSettingOptions(command, SERVE_SETTINGS)
    .addHelpText('after', EXAMPLES)
    .action(async (options: Record<string, unknown>) => {
      const config = await ctx.loadConfig(settingFlags(options, SERVE_SETTINGS));
      const started = performance.now();
      for (const flag of ['flow', 'mockDigits'] as const)
        if (typeof options[flag] === 'string' && options.mockExotelApi !== true)
          throw new UsageError(
            `${flag === 'flow' ? '--flow' : '--mock-digits'} is for the mock Calls API: add --mock-exotel-api`,
          );
      const mockDigits = typeof options.mockDigits === 'string' ? mockDigitGroups(options.mockDigits) : undefined;
      // A mistake in the flow file is a usage error (file:line:col) before anything listens.
      const mockFlow = typeof options.flow === 'string' ? await loadFlow(ctx, options.flow) : undefined;
      const recordDir = await recordingDir(ctx, options);
      // Say at once that something is happening: loading the server's modules alone takes a moment.
      ctx.output().info('exo-passthru serve starting…');
      // The server's modules (express and the store adapters) load only when serve runs, not for every command.
      const [{ startServer }, { createStreamLogger }, { openServerStores }, { pressKeys }] = await Promise.all([
        import('../../server/start.ts'),
        import('../../server/logger.ts'),
        import('../../stores/open.ts'),
        import('../../simulate/continue.ts'),
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
        // The inspector's keypad sends the next request the way simulate would (server/ cannot import simulate/).
        pressKeys,
        // Embedded PGlite takes seconds to open (more on a first run, which creates the database): serve listens
        // at once, history written meanwhile waits in the spool, and reads wait until it is replayed.
        openStores: (resolved, context) => openServerStores(resolved, { ...context, historyInBackground: true }),
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
      const recorder =
        recordDir === undefined
          ? undefined
          : (await import('../../scenarios/recorder.ts')).startCallRecorder({
              dir: recordDir,
              pii: options.recordPii === true,
              origin: config.baseUrl ?? server.url,
              exchanges: server.exchanges,
              log: logger,
            });
      const out = ctx.output();
      // Listening for SIGINT/SIGTERM before saying where it listens: a script that reads that line and stops serve
      // at once must get a clean stop, not the default action of a signal nobody handles yet.
      const stopped = stopOnSignal(ctx, server, recorder, () => {
        if (server.stores.history !== 'pglite') return;
        out.info(`history: PGlite open (${Math.round(performance.now() - started)} ms after start)`);
        // Opening PGlite leaves about 9 MB of buffers that only V8's next full collection frees, which an idle
        // server may not run for many seconds (measured): collect once now. `gc` exists with --expose-gc, which
        // the bin gives embedded serve (src/cli/startup-tuning.ts).
        (globalThis as { gc?: () => void }).gc?.();
      });
      announce(out, server, tokenFile, Boolean(config.webhookKey));
      server.startHistory();
      if (recordDir !== undefined)
        out.info(`recording calls as scenarios in ${recordDir}${options.recordPii ? ' (with personal data)' : ''}`);
      const watching =
        options.watch === true
          ? watchAndReload(ctx, server, logger, () => ctx.loadConfig(settingFlags(options, SERVE_SETTINGS)), config)
          : undefined;
      try {
        await stopped;
      } finally {
        watching?.close();
        // A stopped server's token is dead: left behind, it would pile up and be offered for the next server on
        // this port. Only the files that still hold this server's token go (admin-token-files.ts).
        if (tokenFile) await removeAdminTokenFiles(ctx.io, server.port, server.admin.token);
      }
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

/** --record's directory, made now so a bad path is a usage error at start rather than a log line per call. */
async function recordingDir(ctx: CliContext, options: Record<string, unknown>): Promise<string | undefined> {
  const raw = options.record;
  if (typeof raw !== 'string') {
    if (options.recordPii === true) throw new UsageError('--record-pii needs --record <dir>');
    return undefined;
  }
  const dir = isAbsolute(raw) ? raw : join(ctx.io.cwd, raw);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--record ${raw}: cannot create the directory: ${errorMessage(error)}`, { cause: error });
  }
  return dir;
}

const settingName = (key: SettingKey | 'prompts') => (key === 'prompts' ? 'prompts' : SETTINGS[key].env);

/**
 * `--watch`: on a change to .env (or --env-file) or to a file in PROMPTS_DIR, read the configuration and the
 * prompts again and hand them to the server (startServer's reload). Reloads run one at a time. Anything that does
 * not load (a .env value that does not parse, a prompts file that is not valid JSON or names an unknown prompt)
 * is an error line and changes nothing; settings only a restart applies are named.
 */
function watchAndReload(
  ctx: CliContext,
  server: RunningServer,
  logger: Logger,
  load: () => Promise<Config>,
  initial: Config,
): { close: () => void } {
  const resolve = (path: string) => (isAbsolute(path) ? path : join(ctx.io.cwd, path));
  const envFile = resolve(ctx.globals().envFile ?? '.env');
  const targets = (config: Config) => [
    { dir: dirname(envFile), file: basename(envFile) },
    ...(config.promptsDir !== undefined ? [{ dir: resolve(config.promptsDir) }] : []),
  ];
  const describeResult = (result: ReloadResult) => {
    if (result.applied.length > 0) logger.info(`reload: applied ${result.applied.map(settingName).join(', ')}`);
    else if (result.restartNeeded.length === 0) logger.info('reload: nothing changed');
    if (result.restartNeeded.length > 0)
      logger.info(
        `reload: restart needed: ${result.restartNeeded.map(settingName).join(', ')} changed, but only a restart applies ${result.restartNeeded.length === 1 ? 'it' : 'them'}; serve keeps the values it started with`,
      );
  };
  const reload = async () => {
    let next: Config;
    try {
      next = await load();
    } catch (error) {
      logger.error(`reload: ${basename(envFile)} not applied, serve keeps its settings and prompts`, error);
      return;
    }
    try {
      describeResult(await server.reload(next));
    } catch (error) {
      logger.error('reload: prompts not applied, serve keeps the prompts and settings it had', error);
      return;
    }
    // PROMPTS_DIR itself may have changed in .env: watch the new folder from now on.
    if (next.promptsDir !== promptsDir) {
      promptsDir = next.promptsDir;
      watch.set(targets(next));
    }
  };
  let promptsDir = initial.promptsDir;
  let queue = Promise.resolve();
  const watch = watchFiles(
    () => {
      queue = queue.then(reload);
    },
    { onError: (dir, error) => logger.error(`watch: cannot watch ${dir}`, error) },
  );
  watch.set(targets(initial));
  logger.info(
    `watching ${targets(initial)
      .map((t) => (t.file ? join(t.dir, t.file) : `${t.dir}/`))
      .join(' and ')}`,
  );
  return { close: () => watch.close() };
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

/**
 * Runs until SIGINT/SIGTERM, then closes the server, then writes the calls the recorder still holds (after the
 * server, so the requests in flight are in them); a second signal while closing is ignored. Or until history,
 * opening in the background, fails to open: then it closes too and fails with that error (exit 3). The writes
 * taken meanwhile stay in the spool for the next start.
 */
function stopOnSignal(
  ctx: CliContext,
  server: RunningServer,
  recorder: CallRecorder | undefined,
  onHistoryReady: () => void,
): Promise<void> {
  const out = ctx.output();
  return new Promise<void>((done, fail) => {
    let stopping = false;
    const stop = (why: string, error?: unknown) => {
      if (stopping) return;
      stopping = true;
      out.info(`${why}: finishing in-flight requests, closing stores`);
      void server
        .close()
        .then(() => recorder?.close())
        .then(() => {
          unsubscribe();
          out.info('stopped');
        })
        .finally(() => (error === undefined ? done() : fail(error)));
    };
    const unsubscribe = ctx.io.onSignal((signal) => stop(signal));
    // Once stopping, a store that opens is no news: the close step waited for it, and it caught up with nothing.
    server.historyReady.then(
      () => {
        if (!stopping) onHistoryReady();
      },
      (error: unknown) => stop('the history store did not open', error ?? new Error('the history store did not open')),
    );
  });
}
