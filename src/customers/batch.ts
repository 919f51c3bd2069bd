/**
 * Text queued for one sink and written in ~64 KB chunks, so a million rows are a few hundred writes. Each row is
 * encoded to UTF-8 once, straight into the chunk's Buffer: joining the rows into one string and letting the sink
 * encode it copied every byte twice more. A row is never split across chunks, so every chunk is whole UTF-8.
 */
import type { Writable } from 'node:stream';

export type Batch = {
  add: (text: string) => void;
  full: () => boolean;
  /**
   * Write what is queued; a promise only when the sink asked us to wait (backpressure): the previous chunk has
   * not drained yet. Resolves once what was queued has been handed to the sink.
   */
  flush: () => Promise<void> | undefined;
};

/** Room past the limit, so a chunk ends after the row that reaches the limit rather than before it. */
const SLACK = 16 * 1024;

export function createBatch(stream: Writable, limit = 64 * 1024): Batch {
  // The chunk being filled; a chunk handed to the sink is never written into again (the sink may still hold it).
  // Chunks reach the limit (a file stream's default highWaterMark, 64 KiB on Node 22 and later), so the sink
  // asks us to wait after each one, as it did for the 64 K-character strings this replaced: a failing sink's
  // error is then seen before the run finishes.
  let chunk = Buffer.allocUnsafeSlow(limit + SLACK);
  let used = 0;
  // Chunks that filled up before the next flush (a row that did not fit, or one larger than a chunk).
  let sealed: Buffer[] = [];
  const seal = (room: number) => {
    if (used === 0 && chunk.length >= room) return;
    if (used > 0) sealed.push(chunk.subarray(0, used));
    chunk = Buffer.allocUnsafeSlow(Math.max(limit, room) + SLACK);
    used = 0;
  };
  const drained = () =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        stream.off('drain', onDrain).off('error', done).off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new Error('output closed before all rows were written'));
      stream.on('drain', onDrain).on('error', done).on('close', onClose);
    });
  // The chunk the sink is still writing (it asked us to wait): the next chunk is built meanwhile and written
  // once this one has drained, so the CPU keeps working while the sink holds at most one chunk.
  let inFlight: Promise<void> | undefined;
  const write = (): Promise<void> | undefined => {
    // A chunk in flight may have failed: that error (EPIPE, ENOSPC) is the one to report.
    if (stream.destroyed)
      return Promise.reject(stream.errored ?? new Error('output closed before all rows were written'));
    seal(limit);
    const chunks = sealed;
    sealed = [];
    let ready = true;
    for (const part of chunks) ready = stream.write(part);
    if (ready) return undefined;
    const drain = drained().finally(() => {
      if (inFlight === drain) inFlight = undefined;
    });
    // Handled here so a failure nobody waits for yet is not an unhandled rejection; the next flush reports it.
    drain.catch(() => {});
    inFlight = drain;
    return undefined;
  };
  return {
    add(text: string) {
      // At most 3 bytes of UTF-8 per UTF-16 unit: when that much room is left, the row cannot be cut short.
      const room = text.length * 3;
      if (used + room > chunk.length) seal(room);
      used += chunk.write(text, used, 'utf8');
    },
    full: () => sealed.length > 0 || used >= limit,
    flush(): Promise<void> | undefined {
      if (used === 0 && sealed.length === 0) return inFlight;
      return inFlight ? inFlight.then(write) : write();
    },
  };
}
