/**
 * The server put together in one place, for `serve`, the test server and the bench: prompts, stores and the
 * history writer, app, listen; and taken apart in one order: HTTP server → history writer → stores. It neither reads the environment
 * nor prints: the caller passes the logger, the working directory and how stores are opened (server/ sees
 * stores only through ports.ts, docs/architecture.md; `serve` passes stores/open.ts's openStores).
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SETTING_KEYS, type Config, type SettingKey } from '../config.ts';
import { loadPrompts, type PromptCatalog } from '../flow/prompts.ts';
import type { HistoryStore, HistoryWrite, HistoryWriter, SessionStore } from '../stores/ports.ts';
import { createApp } from './app.ts';
import { createExchangeLog, type ExchangeLog } from './exchanges.ts';
import { listen, type Listening, SERVER_CLOSING } from './listen.ts';
import type { Logger } from './logger.ts';
import type { PressKeys } from './routes/inspect.ts';
import { createVoicebotSockets } from './voicebot-socket.ts';
import type { MockCallsOptions } from './routes/mock-calls-api.ts';

type OpenedStores = {
  sessions: SessionStore;
  history: HistoryStore;
  writer: HistoryWriter;
  /** Settles once history reads are complete; given when history opens in the background (stores/open.ts). */
  historyReady?: Promise<void>;
  /** With history in the background: start opening it (RunningServer.startHistory). */
  startHistory?: () => void;
  close: () => Promise<void>;
};

/** What the store opener needs from the server: where to log, and who hears of writes that were lost. */
type StoreContext = { logger: Logger; onLost: (writes: readonly HistoryWrite[]) => void };

type AdminAccess = { token: string; loopbackOnly: boolean };

export type StartServerOptions = {
  /** Relative PROMPTS_DIR and DATA_DIR are resolved against it. */
  cwd: string;
  logger: Logger;
  /** Opens the stores the config names and the writer in front of history; DATA_DIR and SPOOL_DIR come resolved. */
  openStores: (config: Config, context: StoreContext) => Promise<OpenedStores>;
  /** Default: ADMIN_TOKEN for any client, else a random token for loopback clients only. */
  admin?: AdminAccess;
  now?: () => Date;
  /** Serve Exotel's Calls/connect API as a mock (routes/mock-calls-api.ts). */
  mockExotelApi?: boolean;
  /** The mock's flow (default: the bundled collections flow) and rate limit. */
  mockCalls?: MockCallsOptions;
  /** History writes the spool could not take (full, or the disk failed); the CLI prints them. */
  onLost?: (writes: readonly HistoryWrite[]) => void;
  /** Where webhook exchanges are kept (default: a new ring of INSPECT_RING_SIZE). */
  exchanges?: ExchangeLog;
  /** The browser inspector's keypad (simulate/continue.ts's pressKeys; server/ does not import simulate/, rule 3). */
  pressKeys?: PressKeys;
  /** Where the inspector's bundled page is (default: the package's dist/inspector, built by `npm run build`). */
  inspectorAssets?: string;
};

/**
 * The package's dist/inspector, from src/server/ (tests, `node` on the sources) and from dist/server/ (the
 * published build) alike: both are two levels below the package root.
 */
const DEFAULT_INSPECTOR_ASSETS = fileURLToPath(new URL('../../dist/inspector/', import.meta.url));

export type RunningServer = {
  url: string;
  port: number;
  sessions: SessionStore;
  history: HistoryStore;
  writer: HistoryWriter;
  admin: AdminAccess;
  stores: { sessions: SessionStore['kind']; history: HistoryStore['kind'] };
  /** DATA_DIR resolved against cwd ('memory' as is): where PGlite keeps its files, when it is the history store. */
  dataDir: string;
  /** The webhook exchanges this server saw, newest last (bounded ring, server/exchanges.ts). */
  exchanges: ExchangeLog;
  /** Settles when history is open and caught up (at once unless it opens in the background); rejects if it cannot open. */
  historyReady: Promise<void>;
  /**
   * History in the background (stores/open.ts) starts opening only when this is called: serve calls it once it has
   * said where it listens, since PGlite loads on this thread and would delay that line. Otherwise no effect.
   */
  startHistory: () => void;
  /**
   * Apply a new configuration without a restart: the prompts (PROMPTS_DIR read again) and the settings a request
   * reads (LIVE_SETTINGS) go to a new app that takes every request from now on; requests in flight finish on the
   * one they started on. Rejects, leaving the running app in place, when the prompts do not load.
   */
  reload: (config: Config) => Promise<ReloadResult>;
  /** HTTP server → history writer → stores; a step that fails is logged and the next still runs. Never rejects. */
  close: () => Promise<void>;
};

/** What a reload changed: applied (`prompts` when the prompt texts differ), and what only a restart applies. */
export type ReloadResult = { applied: Array<SettingKey | 'prompts'>; restartNeeded: SettingKey[] };

/**
 * The settings a new app picks up: each request reads them through the app's deps. The others are bound at start
 * (the listening socket, the stores and their write path, the admin token written to files, the Voicebot
 * sockets' session lifetime) and need a restart.
 */
const LIVE_SETTINGS: readonly SettingKey[] = [
  'baseUrl',
  'agentNumber',
  'exophone',
  'webhookKey',
  'sessionTtl',
  'brandName',
  'botName',
  'promptsDir',
];

/** Settings serve never reads (the Calls API credentials of `trigger call`): a change to them is no news to it. */
const NOT_SERVES: readonly SettingKey[] = ['exotelApiKey', 'exotelApiToken'];

type Step = readonly [what: string, run: () => Promise<void>];

async function runSteps(logger: Logger, steps: readonly Step[]): Promise<void> {
  for (const [what, run] of steps) {
    try {
      await run();
    } catch (error) {
      logger.error(`shutdown: ${what} failed`, error);
    }
  }
}

function defaultAdmin(config: Config): AdminAccess {
  return config.adminToken
    ? { token: config.adminToken, loopbackOnly: false }
    : { token: randomBytes(24).toString('base64url'), loopbackOnly: true };
}

type Parts = { stores: OpenedStores; admin: AdminAccess; prompts: PromptCatalog; exchanges: ExchangeLog };

function appFor(config: Config, parts: Parts, options: StartServerOptions) {
  return createApp({
    sessions: parts.stores.sessions,
    history: parts.stores.history,
    writer: parts.stores.writer,
    logger: options.logger,
    flow: {
      prompts: parts.prompts,
      brandName: config.brandName,
      botName: config.botName,
      agentNumber: config.agentNumber,
      exophone: config.exophone,
    },
    sessionTtl: config.sessionTtl,
    baseUrl: config.baseUrl,
    webhookKey: config.webhookKey,
    admin: parts.admin,
    now: options.now,
    mockExotelApi: options.mockExotelApi ?? false,
    ...(options.mockCalls ? { mockCalls: options.mockCalls } : {}),
    exchanges: parts.exchanges,
    inspector: {
      assetsDir: options.inspectorAssets ?? DEFAULT_INSPECTOR_ASSETS,
      ...(options.pressKeys ? { pressKeys: options.pressKeys } : {}),
    },
  });
}

export async function startServer(config: Config, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const resolve = (path: string) => (isAbsolute(path) ? path : join(options.cwd, path));
  const promptsOf = (c: Config) => loadPrompts(c.promptsDir === undefined ? undefined : resolve(c.promptsDir));
  const prompts = await promptsOf(config);
  const dataDir = config.dataDir === 'memory' ? 'memory' : resolve(config.dataDir);
  // SPOOL_DIR's default follows DATA_DIR: a run that keeps nothing spools in memory; otherwise under cwd, like PGlite.
  const spoolSetting = config.spoolDir ?? (config.dataDir === 'memory' ? 'memory' : '.exo-passthru/spool');
  const spoolDir = spoolSetting === 'memory' ? 'memory' : resolve(spoolSetting);
  const stores = await options.openStores(
    { ...config, dataDir, spoolDir },
    { logger, onLost: options.onLost ?? (() => {}) },
  );
  const admin = options.admin ?? defaultAdmin(config);
  const exchanges = options.exchanges ?? createExchangeLog(config.inspectRingSize);
  const voicebot = createVoicebotSockets({
    sessions: stores.sessions,
    writer: stores.writer,
    logger,
    sessionTtl: config.sessionTtl,
    now: options.now,
  });
  const teardown = (server: Listening | undefined): Step[] => [
    ['closing Voicebot sockets', () => voicebot.close()],
    ...(server ? [['closing the HTTP server', () => server.close()] as const] : []),
    ['committing or spooling history writes', () => stores.writer.close()],
    ['closing stores', () => stores.close()],
  ];
  // Every request goes to the app current when it arrives; a reload swaps it in one assignment.
  let current = { config, prompts, app: appFor(config, { stores, admin, prompts, exchanges }, options) };
  // Every app that took requests: one replaced by a reload may still hold an open event stream to end at close.
  const apps = new Set([current.app]);
  const handler: RequestListener = (req, res) => current.app(req, res);
  let server: Listening;
  try {
    server = await listen(handler, {
      port: config.port,
      host: config.host,
      onClosing: () => {
        for (const app of apps) app.emit(SERVER_CLOSING);
      },
    });
    server.server.on('upgrade', voicebot.upgrade);
  } catch (error) {
    await runSteps(logger, teardown(undefined));
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    sessions: stores.sessions,
    history: stores.history,
    writer: stores.writer,
    admin,
    stores: { sessions: stores.sessions.kind, history: stores.history.kind },
    dataDir,
    exchanges,
    historyReady: stores.historyReady ?? Promise.resolve(),
    startHistory: () => stores.startHistory?.(),
    reload: async (next) => {
      const before = current;
      const nextPrompts = await promptsOf(next);
      const differs = (key: SettingKey) => JSON.stringify(before.config[key]) !== JSON.stringify(next[key]);
      const changed = SETTING_KEYS.filter((key) => !NOT_SERVES.includes(key) && differs(key));
      // The running config keeps the start-up values of what cannot change: the new app must not claim them.
      const live = Object.fromEntries(
        SETTING_KEYS.map((key) => [key, LIVE_SETTINGS.includes(key) ? next[key] : before.config[key]]),
      ) as Config;
      current = {
        config: live,
        prompts: nextPrompts,
        app: appFor(live, { stores, admin, prompts: nextPrompts, exchanges }, options),
      };
      apps.add(current.app);
      const promptsChanged = JSON.stringify(before.prompts) !== JSON.stringify(nextPrompts);
      return {
        applied: [
          ...(promptsChanged ? (['prompts'] as const) : []),
          ...changed.filter((k) => LIVE_SETTINGS.includes(k)),
        ],
        restartNeeded: changed.filter((k) => !LIVE_SETTINGS.includes(k)),
      };
    },
    close: () => (closing ??= runSteps(logger, teardown(server))),
  };
}
