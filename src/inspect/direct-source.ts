/**
 * Reading Redis and PostgreSQL directly. Each store is optional: with only a Redis URL, `inspect sessions` works
 * and the call-row commands say which URL is missing. PostgreSQL is opened read-only and never migrated; Redis is
 * only ever asked SCAN / GET / TTL (session store list/get/ttl).
 */
import { AppError, UsageError } from '../errors.ts';
import type { CallQuery, CallRow, SessionEntry, SessionQuery } from '../stores/ports.ts';
import type { CallDetail, HistoryReader, InspectSource, SessionReader } from './source.ts';

export type DirectSourceOptions = {
  redisUrl: string | undefined;
  redisPrefix: string;
  databaseUrl: string | undefined;
  databaseSchema: string;
};

/** A command that needs a store this source was not given; `setting` names the URL that would give it. */
function missing(command: string, store: string, setting: 'redisUrl' | 'databaseUrl'): UsageError {
  return new UsageError(`${command} reads ${store}, but this source has no ${store}`, { code: 'E_NO_STORE', setting, details: { command, store } });
}

function createDirectSource(stores: { sessions?: SessionReader; history?: HistoryReader }): InspectSource {
  const { sessions, history } = stores;
  return {
    description: { mode: 'direct', sessions: sessions?.kind ?? null, history: history?.kind ?? null },
    sessions: async (query: SessionQuery): Promise<SessionEntry[]> => {
      if (sessions === undefined) throw missing('inspect sessions', 'Redis', 'redisUrl');
      return sessions.list(query);
    },
    calls: async (query: CallQuery): Promise<CallRow[]> => {
      if (history === undefined) throw missing('inspect calls', 'PostgreSQL', 'databaseUrl');
      return history.listCalls(query);
    },
    call: (callSid: string) => readCall(callSid, sessions, history),
    close: async () => {
      await Promise.allSettled([sessions?.close(), history?.close()]);
    },
  };
}

async function readCall(callSid: string, sessions: SessionReader | undefined, history: HistoryReader | undefined): Promise<CallDetail | undefined> {
  const [session, ttlSeconds, call, events] = await Promise.all([
    sessions?.get(callSid),
    sessions?.ttl(callSid),
    history?.getCall(callSid),
    history?.listEvents(callSid) ?? [],
  ]);
  if (session === undefined && call === undefined) return undefined;
  const customerId = call?.customer_id ?? session?.customer?.customer_id;
  const customer = customerId !== undefined && customerId !== null ? await history?.getCustomer(customerId) : undefined;
  return { callSid, session: session ?? null, ttlSeconds: ttlSeconds ?? null, call: call ?? null, customer: customer ?? null, events };
}

/** Open whichever stores are configured; neither configured is the caller's bug (it picks server mode then). */
export async function openDirectSource(options: DirectSourceOptions): Promise<InspectSource> {
  if (options.redisUrl === undefined && options.databaseUrl === undefined) {
    throw new AppError('openDirectSource: neither a Redis nor a PostgreSQL URL', { code: 'E_INTERNAL' });
  }
  let sessions: SessionReader | undefined;
  try {
    if (options.redisUrl !== undefined) {
      const { openRedisSessionStore } = await import('../stores/redis-sessions.ts');
      sessions = await openRedisSessionStore({ url: options.redisUrl, prefix: options.redisPrefix });
    }
    let history: HistoryReader | undefined;
    if (options.databaseUrl !== undefined) {
      const { openReadOnlyPostgresHistory } = await import('../stores/pg-history.ts');
      history = await openReadOnlyPostgresHistory({ url: options.databaseUrl, schema: options.databaseSchema });
    }
    return createDirectSource({ ...(sessions ? { sessions } : {}), ...(history ? { history } : {}) });
  } catch (error) {
    await sessions?.close().catch(() => {});
    throw error;
  }
}
