/**
 * In-memory sessions for `serve` without REDIS_URL and for tests. Values are kept as the same JSON text Redis
 * would hold, so a caller mutating a session after put() cannot change the stored copy, and both backends
 * round-trip exactly the same shapes. Expiry is computed from the injected clock: tests advance time, never sleep.
 */
import type { CallSession } from '../domain/call.ts';
import { assertTtl, decodeSession, encodeSession, selectSessions } from './session-codec.ts';
import type { SessionEntry, SessionQuery, SessionStore } from './ports.ts';

export type MemorySessionStoreOptions = { now?: () => number };

type Slot = { text: string; expiresAt: number };

export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  const slots = new Map<string, Slot>();

  /** The live slot for a CallSid; an expired one is dropped on the way. */
  const live = (callSid: string): Slot | undefined => {
    const slot = slots.get(callSid);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= now()) {
      slots.delete(callSid);
      return undefined;
    }
    return slot;
  };

  const remaining = (slot: Slot): number => Math.ceil((slot.expiresAt - now()) / 1000);

  return {
    kind: 'memory',
    async get(callSid: string): Promise<CallSession | undefined> {
      return decodeSession(live(callSid)?.text, callSid);
    },
    async put(session: CallSession, ttlSeconds: number): Promise<void> {
      assertTtl('memory', ttlSeconds);
      slots.set(session.callSid, { text: encodeSession(session), expiresAt: now() + ttlSeconds * 1000 });
    },
    async delete(callSid: string): Promise<boolean> {
      const existed = live(callSid) !== undefined;
      slots.delete(callSid);
      return existed;
    },
    async ttl(callSid: string): Promise<number | undefined> {
      const slot = live(callSid);
      return slot === undefined ? undefined : remaining(slot);
    },
    async list(query: SessionQuery = {}): Promise<SessionEntry[]> {
      const entries: SessionEntry[] = [];
      for (const callSid of [...slots.keys()]) {
        const slot = live(callSid);
        const session = decodeSession(slot?.text, callSid);
        if (slot !== undefined && session !== undefined) entries.push({ session, ttlSeconds: remaining(slot) });
      }
      return selectSessions(entries, query);
    },
    async ping(): Promise<void> {},
    async close(): Promise<void> {
      slots.clear();
    },
  };
}
