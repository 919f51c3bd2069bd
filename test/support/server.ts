/**
 * Start the real app on 127.0.0.1:0 with injected stores. Defaults: in-memory sessions + in-memory PGlite.
 * `useRealStores: true` uses REDIS_URL / DATABASE_URL (own key prefix and schema, cleaned up on close).
 */
import { randomBytes } from 'node:crypto';
import { loadPrompts } from '../../src/flow/prompts.ts';
import { createApp, type AppDeps } from '../../src/server/app.ts';
import { listen } from '../../src/server/listen.ts';
import { createMemoryLogger } from '../../src/server/logger.ts';
import { createOutbox, type Outbox } from '../../src/server/outbox.ts';
import { createMemorySessionStore } from '../../src/stores/memory-sessions.ts';
import { openPgliteHistory } from '../../src/stores/pglite-history.ts';
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
  const sessions = options.sessions ?? createMemorySessionStore();
  const history = options.history ?? (await openPgliteHistory({ dataDir: 'memory' }));
  const logger = createMemoryLogger();
  const outbox = createOutbox({ logger, retryMs: options.outboxRetryMs ?? 60_000 });
  const adminToken = options.adminToken ?? randomBytes(12).toString('hex');
  const app = createApp({
    sessions,
    history,
    outbox,
    logger,
    flow: { prompts: await loadPrompts(), brandName: 'Demo Finance', botName: 'Priya', agentNumber: AGENT, exophone: EXOPHONE },
    sessionTtl: options.sessionTtl ?? 7200,
    baseUrl: options.baseUrl,
    webhookKey: options.webhookKey,
    admin: { token: adminToken, loopbackOnly: options.loopbackOnly ?? false },
    ...(options.now ? { now: options.now } : {}),
  });
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    sessions,
    history,
    outbox,
    logs: logger.lines,
    adminToken,
    close: async () => {
      await server.close();
      await outbox.close();
      await sessions.close();
      await history.close();
    },
  };
}
