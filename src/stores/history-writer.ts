/**
 * The history write path of `serve`: group commit in front of the database, the durable spool behind it.
 *
 * - Writes from concurrent requests wait at most `batchWaitMs` (or until `batchMax` are queued) and are
 *   committed together, one statement and one round trip per batch (history-batch.ts). One batch is in flight
 *   at a time, so writes reach the database in the order they were submitted.
 * - Each caller's promise resolves only when its write is committed, or durably in the spool: that is when the
 *   webhook may answer (the delivery guarantee the README states).
 * - A database that cannot be reached (a connection-class error, a timeout) switches the writer to spooling:
 *   every later batch is appended to the spool, which is replayed from its head in the background until it is
 *   empty; only then do batches go to the database directly again, so order is kept.
 * - A write the database refuses for any other reason (a data error, SQLSTATE class 22 or 23) is isolated —
 *   the batch is retried one write at a time — and that write alone goes to the dead-letter file, once. It
 *   never blocks the writes behind it.
 * - A sink still opening (`sinkOpening`: serve's embedded PGlite, opened in the background) is treated like a
 *   database that is away, quietly: writes go to the spool and nothing is sent to the sink until it is open;
 *   then the spool is replayed at once.
 * - A full spool is loud, not silent: the write is counted as lost, handed to `onLost` (the CLI prints it as a
 *   JSON line on stderr) and `/health` answers 503 until the spool has room again.
 */
import { randomUUID } from 'node:crypto';
import { UnreachableError } from '../errors.ts';
import type { CallStart, CallUpdate, HistoryWrite, HistoryWriter, WriteResult, WriterStats } from './ports.ts';
import { causeMessage } from './redact.ts';
import { SpoolFullError, type Spool } from './spool.ts';

type BatchSink = { recordBatch(writes: readonly HistoryWrite[]): Promise<void> };

type WriterLogger = { info: (message: string) => void; error: (message: string, error?: unknown) => void };

export type HistoryWriterOptions = {
  sink: BatchSink;
  spool: Spool;
  logger: WriterLogger;
  /** Most writes in one statement (default 500). */
  batchMax?: number;
  /** How long the first write of a batch waits for others (default 0: the next turn of the event loop). */
  batchWaitMs?: number;
  /** Pause between replay attempts while the database is away (default 1000 ms). */
  retryMs?: number;
  onLost?: (writes: readonly HistoryWrite[]) => void;
  now?: () => Date;
  /** Settles when the sink is open (it opens in the background); until then every write is spooled. */
  sinkOpening?: Promise<unknown>;
};

/** Only "the database is not there" is worth retrying; anything else the database said about the data. */
function retryable(error: unknown): boolean {
  return error instanceof UnreachableError;
}

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

type Queued = { write: HistoryWrite; resolve: (result: WriteResult) => void };

export function createHistoryWriter(options: HistoryWriterOptions): HistoryWriter {
  const { sink, spool, logger } = options;
  const batchMax = options.batchMax ?? 500;
  const now = options.now ?? (() => new Date());
  const queue: Queued[] = [];
  const counters = { lost: 0, committed: 0, batches: 0 };
  // Until the sink is open nothing may reach it: spool, and replay once it is (a failure to open is the opener's
  // to report; the writes stay in the spool for the next run).
  let sinkOpen = options.sinkOpening === undefined;
  let mode: WriterStats['mode'] = spool.count() > 0 || !sinkOpen ? 'spooling' : 'direct';
  const sinkOpened: Promise<void> =
    options.sinkOpening === undefined
      ? Promise.resolve()
      : options.sinkOpening.then(
          () => {
            sinkOpen = true;
            // The writes taken while it opened are not a database coming back: no "is back" line for them.
            quietReplay = true;
            scheduleReplay(0);
          },
          () => {},
        );
  let spoolFull = false;
  let batchTimer: NodeJS.Timeout | undefined;
  let replayTimer: NodeJS.Timeout | undefined;
  let replaying: Promise<void> | undefined;
  let closed = false;
  const replayWaiters: Array<() => void> = [];
  const retryMs = options.retryMs ?? 1000;
  let retryAfterFailure = false;
  let quietReplay = false;

  const toSpool = async (writes: readonly HistoryWrite[]): Promise<WriteResult> => {
    try {
      await spool.append(writes);
      spoolFull = false;
      return 'spooled';
    } catch (error) {
      spoolFull = error instanceof SpoolFullError;
      counters.lost += writes.length;
      logger.error(
        `history: ${writes.length} write(s) lost: the spool at ${spool.location} refused them (${causeMessage(error)})`,
      );
      options.onLost?.(writes);
      return 'lost';
    }
  };

  const deadLetter = async (write: HistoryWrite, error: unknown): Promise<WriteResult> => {
    const reason = causeMessage(error);
    logger.error(`history: write ${write.id} refused by the database, moved to the dead-letter file: ${reason}`);
    try {
      await spool.deadLetter({ write, reason, code: sqlState(error), at: now().toISOString() });
      return 'dead-lettered';
    } catch (fsError) {
      counters.lost += 1;
      options.onLost?.([write]);
      logger.error(`history: the dead-letter file could not be written either`, fsError);
      return 'lost';
    }
  };

  const startSpooling = (error: unknown) => {
    if (mode === 'direct')
      logger.error(
        `history: the database is unreachable, spooling writes to ${spool.location}: ${causeMessage(error)}`,
      );
    mode = 'spooling';
    scheduleReplay(retryMs);
  };

  /** Commit one write at a time, to find the one the database refuses; a lost connection spools the rest. */
  const isolate = async (writes: readonly HistoryWrite[]): Promise<WriteResult[]> => {
    const results: WriteResult[] = [];
    for (let i = 0; i < writes.length; i++) {
      if (mode === 'spooling') {
        const rest = writes.slice(i);
        const result = await toSpool(rest);
        return [...results, ...rest.map(() => result)];
      }
      const write = writes[i] as HistoryWrite;
      try {
        await sink.recordBatch([write]);
        counters.committed += 1;
        results.push('committed');
      } catch (error) {
        if (!retryable(error)) results.push(await deadLetter(write, error));
        else {
          startSpooling(error);
          i -= 1; // the next turn spools this write and the rest
        }
      }
    }
    return results;
  };

  const processBatch = async (writes: readonly HistoryWrite[]): Promise<WriteResult[]> => {
    counters.batches += 1;
    if (mode === 'spooling') {
      const result = await toSpool(writes);
      return writes.map(() => result);
    }
    try {
      await sink.recordBatch(writes);
      counters.committed += writes.length;
      return writes.map(() => 'committed');
    } catch (error) {
      if (!retryable(error))
        return writes.length === 1 ? [await deadLetter(writes[0] as HistoryWrite, error)] : isolate(writes);
      startSpooling(error);
      const result = await toSpool(writes);
      return writes.map(() => result);
    }
  };

  /** Set and cleared synchronously, so a write submitted as the loop ends is never left behind. */
  let looping = false;
  let loopDone: Promise<void> = Promise.resolve();

  const flushLoop = async () => {
    looping = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, batchMax);
        const results = await processBatch(batch.map((q) => q.write));
        for (const [i, q] of batch.entries()) q.resolve(results[i] ?? 'lost');
      }
    } finally {
      looping = false;
    }
  };

  const flush = () => {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = undefined;
    if (!looping) loopDone = flushLoop();
  };

  const submit = (write: HistoryWrite): Promise<WriteResult> =>
    new Promise((resolve) => {
      queue.push({ write, resolve });
      if (looping) return;
      if (queue.length >= batchMax) flush();
      else batchTimer ??= setTimeout(flush, options.batchWaitMs ?? 0);
    });

  const replayOnce = async (): Promise<void> => {
    for (;;) {
      const entries = await spool.read(batchMax);
      if (entries.length === 0) {
        await spool.idle();
        if (spool.count() === 0 && !spool.appending()) {
          if (mode === 'spooling' && !quietReplay)
            logger.info('history: the database is back and the spool is drained');
          quietReplay = false;
          mode = 'direct';
          return;
        }
        continue;
      }
      try {
        await sink.recordBatch(entries.map((e) => e.write));
        counters.committed += entries.length;
        await spool.advance((entries.at(-1) as (typeof entries)[number]).end, entries.length);
      } catch (error) {
        if (retryable(error)) throw error;
        for (const entry of entries) {
          try {
            await sink.recordBatch([entry.write]);
            counters.committed += 1;
          } catch (single) {
            if (retryable(single)) throw single;
            await deadLetter(entry.write, single);
          }
          await spool.advance(entry.end, 1);
        }
      }
    }
  };

  function scheduleReplay(delayMs: number) {
    if (closed || replaying || !sinkOpen) return;
    if (replayTimer) {
      if (delayMs > 0) return;
      clearTimeout(replayTimer);
    }
    replayTimer = setTimeout(() => {
      replayTimer = undefined;
      replaying = replayOnce()
        .catch((error: unknown) => {
          logger.error(`history: the spool cannot be replayed yet, retrying in ${retryMs} ms: ${causeMessage(error)}`);
          retryAfterFailure = true;
        })
        .finally(() => {
          replaying = undefined;
          if (retryAfterFailure) {
            retryAfterFailure = false;
            scheduleReplay(retryMs);
          }
          for (const waiter of replayWaiters.splice(0)) waiter();
        });
    }, delayMs);
  }

  if (mode === 'spooling') scheduleReplay(0);

  const write = (kind: 'start' | 'update', body: CallStart | CallUpdate): Promise<WriteResult> => {
    const base = {
      id: (kind === 'update' ? (body as CallUpdate).writeId : undefined) ?? randomUUID(),
      at: now().toISOString(),
    };
    return submit(
      kind === 'start' ? { ...base, kind, start: body as CallStart } : { ...base, kind, update: body as CallUpdate },
    );
  };

  return {
    spoolLocation: spool.location,
    recordCallStart: (start) => write('start', start),
    recordCallUpdate: (update) => write('update', update),
    stats: () => ({
      mode,
      pending: queue.length,
      spooled: spool.count(),
      spoolBytes: spool.bytes(),
      spoolMaxBytes: spool.maxBytes,
      spoolFull,
      deadLettered: spool.deadLettered(),
      lost: counters.lost,
      committed: counters.committed,
      batches: counters.batches,
    }),
    settle: async () => {
      await loopDone;
      if (mode === 'direct') return;
      await sinkOpened;
      if (!sinkOpen || closed) return;
      // While spooling: one replay attempt, now. It drains the spool, or finds the database still away.
      const attempt = new Promise<void>((resolve) => replayWaiters.push(resolve));
      scheduleReplay(0);
      await attempt;
    },
    close: async () => {
      closed = true;
      if (replayTimer) clearTimeout(replayTimer);
      replayTimer = undefined;
      flush();
      await loopDone;
      await replaying;
      await spool.close();
    },
  };
}
