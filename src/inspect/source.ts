/**
 * Where `inspect` reads from: the stores themselves (direct-source.ts: Redis and/or read-only PostgreSQL) or
 * serve's admin API (admin-source.ts: how the embedded in-memory sessions and PGlite history are seen while
 * serve runs). Both answer the same questions with the same shapes, so formatting never knows which it was.
 *
 * The interface has no write method at all: inspect is read-only by construction.
 */
import type { CallSession } from '../domain/call.ts';
import type { CallEventRow, CallQuery, CallRow, CustomerRow, HistoryStore, SessionEntry, SessionQuery, SessionStore } from '../stores/ports.ts';

export type SourceDescription = {
  mode: 'direct' | 'server';
  /** null when this source has no session store (direct mode without a Redis URL). */
  sessions: SessionStore['kind'] | null;
  /** null when this source has no history store (direct mode without a PostgreSQL URL). */
  history: HistoryStore['kind'] | null;
  /** The server URL in server mode. */
  server?: string;
};

export type CallDetail = {
  callSid: string;
  session: CallSession | null;
  ttlSeconds: number | null;
  call: CallRow | null;
  customer: CustomerRow | null;
  events: CallEventRow[];
};

export interface InspectSource {
  readonly description: SourceDescription;
  sessions(query: SessionQuery): Promise<SessionEntry[]>;
  calls(query: CallQuery): Promise<CallRow[]>;
  /** undefined when neither a session nor a call row exists for this CallSid. */
  call(callSid: string): Promise<CallDetail | undefined>;
  close(): Promise<void>;
}

/** Only the reading half of each port: what a source may hold, so nothing here can call put/delete/record. */
export type SessionReader = Pick<SessionStore, 'kind' | 'get' | 'ttl' | 'list' | 'close'>;
export type HistoryReader = Pick<HistoryStore, 'kind' | 'getCall' | 'listCalls' | 'getCustomer' | 'listEvents' | 'close'>;

