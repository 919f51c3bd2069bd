/** Text queued for one sink and written in ~64 KB chunks, so a million rows are a few hundred writes. */
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

export function createBatch(stream: Writable, limit = 64 * 1024): Batch {
  let parts: string[] = [];
  let size = 0;
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
    if (stream.destroyed) return Promise.reject(stream.errored ?? new Error('output closed before all rows were written'));
    const chunk = parts.join('');
    parts = [];
    size = 0;
    if (stream.write(chunk)) return undefined;
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
      parts.push(text);
      size += text.length;
    },
    full: () => size >= limit,
    flush(): Promise<void> | undefined {
      if (size === 0) return inFlight;
      return inFlight ? inFlight.then(write) : write();
    },
  };
}
