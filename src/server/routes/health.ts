/** `GET /health`: 200 when every store answers, 503 naming the one that does not. */
import type { Router } from 'express';
import { errorMessage } from '../../errors.ts';
import type { HistoryStore, SessionStore } from '../../stores/ports.ts';
import type { Outbox } from '../outbox.ts';

async function probe(ping: () => Promise<void>, timeoutMs: number): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoute(router: Router, deps: { sessions: SessionStore; history: HistoryStore; outbox: Outbox; timeoutMs?: number }) {
  router.get('/health', async (_req, res) => {
    const timeoutMs = deps.timeoutMs ?? 1500;
    const [sessions, history] = await Promise.all([probe(() => deps.sessions.ping(), timeoutMs), probe(() => deps.history.ping(), timeoutMs)]);
    const failing = [...(sessions.ok ? [] : [deps.sessions.kind]), ...(history.ok ? [] : [deps.history.kind])];
    res.status(failing.length === 0 ? 200 : 503).json({
      status: failing.length === 0 ? 'ok' : 'unavailable',
      failing,
      sessions: { backend: deps.sessions.kind, ...sessions },
      history: { backend: deps.history.kind, ...history },
      outboxPending: deps.outbox.pending(),
    });
  });
}
