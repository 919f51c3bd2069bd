/**
 * Start the real app on 127.0.0.1:0 through startServer, with injected stores. Defaults: in-memory sessions +
 * in-memory PGlite; a suite passes `sessions` / `history` to run on Redis or PostgreSQL (support/backends.ts).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import type { AppDeps } from '../../src/server/app.ts';
import { createMemoryLogger } from '../../src/server/logger.ts';
import type { Outbox } from '../../src/server/outbox.ts';
import { startServer } from '../../src/server/start.ts';
import { openStores } from '../../src/stores/open.ts';
import type { HistoryStore, SessionStore } from '../../src/stores/ports.ts';

export const AGENT = '+919812345678';
export const EXOPHONE = '08047112233';

export type TestServer = {
  url: string;
  sessions: SessionStore;
  history: HistoryStore;
  outbox: Outbox;
  logs: string[];
  adminToken: string;
  close: () => Promise<void>;
};

export type TestServerOptions = Partial<Pick<AppDeps, 'baseUrl' | 'webhookKey' | 'now' | 'sessionTtl'>> & {
  sessions?: SessionStore;
  history?: HistoryStore;
  adminToken?: string;
  loopbackOnly?: boolean;
  outboxRetryMs?: number;
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
      baseUrl: options.baseUrl,
      webhookKey: options.webhookKey,
    },
  });
  const { sessions, history } = options;
  const logger = createMemoryLogger();
  const server = await startServer(config, {
    cwd: process.cwd(),
    logger,
    openStores: (resolved) =>
      openStores(resolved, {
        ...(sessions ? { openSessions: async () => sessions } : {}),
        ...(history ? { openHistory: async () => history } : {}),
      }),
    admin: { token: options.adminToken ?? randomBytes(12).toString('hex'), loopbackOnly: options.loopbackOnly ?? false },
    now: options.now,
    outboxRetryMs: options.outboxRetryMs ?? 60_000,
  });
  return {
    url: server.url,
    sessions: server.sessions,
    history: server.history,
    outbox: server.outbox,
    logs: logger.lines,
    adminToken: server.admin.token,
    close: server.close,
  };
}
