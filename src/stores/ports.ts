/**
 * The two ports the server sees (docs/architecture.md rule 3): sessions (Redis or in-memory) and history
 * (PostgreSQL or PGlite). Adapters live beside this file; `open.ts` picks them from Config. The records they
 * carry (CallSession, Customer, Outcome) are domain types (src/domain/); the rows here are the SQL shapes.
 */
import type { CallSession, Outcome } from '../domain/call.ts';
import type { Customer } from '../domain/customer.ts';
import type { LanguageCode } from '../exotel/language.ts';

export type SessionEntry = { session: CallSession; ttlSeconds: number | undefined };

export type SessionQuery = { callSid?: string; customerId?: string; limit?: number };

export interface SessionStore {
  readonly kind: 'redis' | 'memory';
  get(callSid: string): Promise<CallSession | undefined>;
  /** Create or replace, resetting the TTL. */
  put(session: CallSession, ttlSeconds: number): Promise<void>;
  delete(callSid: string): Promise<boolean>;
  /** Remaining TTL in seconds; undefined when the key does not exist. */
  ttl(callSid: string): Promise<number | undefined>;
  /** Read-only listing (SCAN on Redis, never KEYS), newest `updatedAt` first. */
  list(query?: SessionQuery): Promise<SessionEntry[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type CallRow = {
  call_sid: string;
  customer_id: string | null;
  status: string;
  direction: string | null;
  started_at: string;
  ended_at: string | null;
  language: string | null;
  digits: string | null;
  outcome: Outcome | null;
  agent_number: string | null;
  exotel_params: Record<string, string>;
  /** From the Passthru after a Connect: `completed`, `busy`, `no-answer`, `failed`, `canceled`. */
  dial_call_status: string | null;
  /** Seconds, from `DialCallDuration` (or the stream's `Duration` after a Voicebot). */
  dial_call_duration: number | null;
  recording_url: string | null;
  /** After a Voicebot/Stream applet: `StreamSID`, `Status`, `Duration`, `RecordingUrl`, `DisconnectedBy`, … */
  stream: Record<string, string> | null;
  /** From the StatusCallback: Exotel's final `Status` (`completed`, `busy`, `no-answer`, `failed`, `canceled`). */
  final_status: string | null;
  /** Seconds, from the StatusCallback's `ConversationDuration` (else `Duration`). */
  duration: number | null;
  /** The StatusCallback's `Legs` (or a Passthru's `Legs[i][…]`), one object per leg. */
  legs: Array<Record<string, string>> | null;
  updated_at: string;
};

export type CustomerRow = {
  customer_id: string;
  name: string | null;
  phone: string | null;
  loan_id: string | null;
  amount: string | null;
  due_date: string | null;
  state: string | null;
  language_code: string | null;
  updated_at: string;
};

export type CallEventRow = {
  id: number;
  call_sid: string;
  at: string;
  kind: string;
  detail: Record<string, unknown>;
};

export type CallStart = {
  customer?: Customer;
  callSid: string;
  status: string;
  direction?: string;
  language: LanguageCode;
  exotelParams: Record<string, string>;
  event: { kind: string; detail: Record<string, unknown> };
};

export type CallUpdate = {
  callSid: string;
  status?: string;
  digits?: string;
  outcome?: Outcome;
  agentNumber?: string;
  ended?: boolean;
  /** How the call ended, from the Passthru Exotel sends after a Connect or a Voicebot applet. */
  end?: CallEnd;
  /** When the call ended, if the request says so (a StatusCallback's EndTime); else the write's time. */
  endedAt?: string;
  /**
   * A write id derived from the request (e.g. CallSid + Status of a StatusCallback): a retried request carries
   * the same id, so its event is appended once. Without it the writer makes a fresh id.
   */
  writeId?: string;
  event: { kind: string; detail: Record<string, unknown> };
};

type CallEnd = {
  dialCallStatus?: string;
  dialCallDuration?: number;
  recordingUrl?: string;
  stream?: Record<string, string>;
  finalStatus?: string;
  duration?: number;
  legs?: Array<Record<string, string>>;
};

export type CallQuery = { customerId?: string; outcome?: Outcome; since?: Date; limit?: number };

/**
 * The code of the error `ping` fails with while a history store opens in the background (stores/deferred-history.ts):
 * not a failure, a start-up; `/health` answers 503 "starting" for it.
 */
export const HISTORY_STARTING = 'E_HISTORY_STARTING';

export interface HistoryStore {
  readonly kind: 'postgres' | 'pglite';
  /** Upsert customer (when given) + call row + one event, atomically. */
  recordCallStart(start: CallStart): Promise<void>;
  /** Update the call row (creating a bare one if the call was never started here) + one event, atomically. */
  recordCallUpdate(update: CallUpdate): Promise<void>;
  /** Any number of starts and updates in one statement (group commit), atomically; replaying one is harmless. */
  recordBatch(writes: readonly HistoryWrite[]): Promise<void>;
  getCall(callSid: string): Promise<CallRow | undefined>;
  listCalls(query?: CallQuery): Promise<CallRow[]>;
  getCustomer(customerId: string): Promise<CustomerRow | undefined>;
  listEvents(callSid: string): Promise<CallEventRow[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One history write as the write path carries it: an id (stored on its event row, so a replayed write is
 * appended once) and the time it was accepted (the event's time, even when it reaches the database later).
 */
export type HistoryWrite =
  | { id: string; at: string; kind: 'start'; start: CallStart }
  | { id: string; at: string; kind: 'update'; update: CallUpdate };

/** What became of one write: in the database, durably in the spool, refused for good, or lost (spool full). */
export type WriteResult = 'committed' | 'spooled' | 'dead-lettered' | 'lost';

export type WriterStats = {
  /** 'spooling' while the database is away or the spool is being replayed. */
  mode: 'direct' | 'spooling';
  pending: number;
  spooled: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  spoolFull: boolean;
  deadLettered: number;
  lost: number;
  committed: number;
  batches: number;
};

/**
 * The server's write path to history (stores/history-writer.ts): group commit, the durable spool, dead letters.
 * A write's promise resolves once the write is committed or durably spooled; it never rejects.
 */
export interface HistoryWriter {
  readonly spoolLocation: string;
  recordCallStart(start: CallStart): Promise<WriteResult>;
  recordCallUpdate(update: CallUpdate): Promise<WriteResult>;
  stats(): WriterStats;
  /** Resolves once nothing is queued and, while spooling, after one replay attempt. */
  settle(): Promise<void>;
  /** Commit or spool what is queued, wait for a replay in flight, release the spool. */
  close(): Promise<void>;
}
