/** `GET /health`: 200 when every store answers, 503 naming the one that does not. */
import type { Router } from 'express';
import { errorMessage } from '../../errors.ts';
import { HISTORY_STARTING, type HistoryStore, type HistoryWriter, type SessionStore } from '../../stores/ports.ts';

async function probe(
  ping: () => Promise<void>,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; error: string; starting?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { ok: true };
  } catch (error) {
    const starting = typeof error === 'object' && error !== null && 'code' in error && error.code === HISTORY_STARTING;
    return { ok: false, error: errorMessage(error), ...(starting ? { starting: true as const } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `ok` (200): both stores answer and history is written directly. `degraded` (200): calls are served and their
 * history is safe, but some of it waits in the spool or was dead-lettered — look at the counts. `unavailable`
 * (503): a store does not answer, or the spool is full and new history is being lost. `starting` (503): embedded
 * PGlite is still opening (or replaying what was spooled meanwhile); webhooks are answered and their history
 * spooled, but reads would wait, so a prober waits too.
 */
export function registerHealthRoute(
  router: Router,
  deps: { sessions: SessionStore; history: HistoryStore; writer: HistoryWriter; timeoutMs?: number },
) {
  router.get('/health', async (_req, res) => {
    const timeoutMs = deps.timeoutMs ?? 1500;
    const [sessions, history] = await Promise.all([
      probe(() => deps.sessions.ping(), timeoutMs),
      probe(() => deps.history.ping(), timeoutMs),
    ]);
    const failing: string[] = [
      ...(sessions.ok ? [] : [deps.sessions.kind]),
      ...(history.ok ? [] : [deps.history.kind]),
    ];
    const writes = deps.writer.stats();
    if (writes.spoolFull) failing.push('spool');
    const degraded = writes.spooled > 0 || writes.deadLettered > 0 || writes.lost > 0;
    const starting = !history.ok && history.starting === true && failing.length === 1;
    res.status(failing.length === 0 ? 200 : 503).json({
      status: starting ? 'starting' : failing.length > 0 ? 'unavailable' : degraded ? 'degraded' : 'ok',
      failing,
      sessions: { backend: deps.sessions.kind, ...sessions },
      history: { backend: deps.history.kind, ...history },
      writes: { ...writes, spool: deps.writer.spoolLocation },
    });
  });
}
