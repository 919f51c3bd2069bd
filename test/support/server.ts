/**
 * Start the real app on 127.0.0.1:0 through startServer, with injected stores. Defaults: in-memory sessions +
 * in-memory PGlite; a suite passes `sessions` / `history` to run on Redis or PostgreSQL (support/backends.ts).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import type { AppDeps } from '../../src/server/app.ts';
import type { ExchangeLog } from '../../src/server/exchanges.ts';
import { createMemoryLogger } from '../../src/server/logger.ts';
import type { MockCallsOptions } from '../../src/server/routes/mock-calls-api.ts';
import { startServer } from '../../src/server/start.ts';
import { pressKeys } from '../../src/simulate/continue.ts';
import { openServerStores } from '../../src/stores/open.ts';
import type { HistoryStore, HistoryWrite, HistoryWriter, SessionStore } from '../../src/stores/ports.ts';

export const AGENT = '+919812345678';
export const EXOPHONE = '08047112233';

export type TestServer = {
  url: string;
  sessions: SessionStore;
  history: HistoryStore;
  writer: HistoryWriter;
  /** Writes the spool could not take. */
  lost: HistoryWrite[];
  logs: string[];
  adminToken: string;
  /** The webhook exchanges the server saw (server/exchanges.ts). */
  exchanges: ExchangeLog;
  close: () => Promise<void>;
};

export type TestServerOptions = Partial<Pick<AppDeps, 'baseUrl' | 'webhookKey' | 'now' | 'sessionTtl'>> & {
  sessions?: SessionStore;
  history?: HistoryStore;
  adminToken?: string;
  loopbackOnly?: boolean;
  /** Pause between replays of the spool while history is away (default 60 s: tests call writer.settle()). */
  retryMs?: number;
  /** Default 'memory'. */
  spoolDir?: string;
  spoolMaxBytes?: number;
  mockExotelApi?: boolean;
  mockCalls?: MockCallsOptions;
  /** INSPECT_RING_SIZE: how many webhook exchanges the server keeps (default 500). */
  inspectRingSize?: number;
  /** Where the inspector's bundled page is (default dist/inspector). */
  inspectorAssets?: string;
};

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({
    env: {},
    flags: {
      port: 0,
      host: '127.0.0.1',
      dataDir: 'memory',
      agentNumber: AGENT,
      exophone: EXOPHONE,
      brandName: 'Demo Finance',
      botName: 'Priya',
      sessionTtl: options.sessionTtl,
      spoolDir: options.spoolDir ?? 'memory',
      spoolMaxBytes: options.spoolMaxBytes,
      baseUrl: options.baseUrl,
      webhookKey: options.webhookKey,
      inspectRingSize: options.inspectRingSize,
    },
  });
  const { sessions, history } = options;
  const logger = createMemoryLogger();
  const lost: HistoryWrite[] = [];
  const server = await startServer(config, {
    cwd: process.cwd(),
    logger,
    openStores: (resolved, context) =>
      openServerStores(resolved, {
        ...context,
        retryMs: options.retryMs ?? 60_000,
        ...(sessions ? { openSessions: async () => sessions } : {}),
        ...(history ? { openHistory: async () => history } : {}),
      }),
    onLost: (writes) => lost.push(...writes),
    admin: {
      token: options.adminToken ?? randomBytes(12).toString('hex'),
      loopbackOnly: options.loopbackOnly ?? false,
    },
    now: options.now,
    mockExotelApi: options.mockExotelApi ?? false,
    ...(options.mockCalls ? { mockCalls: options.mockCalls } : {}),
    pressKeys,
    ...(options.inspectorAssets ? { inspectorAssets: options.inspectorAssets } : {}),
  });
  return {
    url: server.url,
    sessions: server.sessions,
    history: server.history,
    writer: server.writer,
    lost,
    logs: logger.lines,
    adminToken: server.admin.token,
    exchanges: server.exchanges,
    close: server.close,
  };
}
