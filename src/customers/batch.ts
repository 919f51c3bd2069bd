/**
 * Text queued for one sink and written in ~64 KB chunks, so a million rows are a few hundred writes. Each row is
 * encoded to UTF-8 once, straight into the chunk's Buffer: joining the rows into one string and letting the sink
 * encode it copied every byte twice more. A row is never split across chunks, so every chunk is whole UTF-8.
 */
import type { Writable } from 'node:stream';

export type Batch = {
  add: (text: string) => void;
  /** Queue bytes encoded elsewhere (whole UTF-8: format-lane.ts), copied: the caller may reuse them. */
  addBytes: (bytes: Uint8Array) => void;
  full: () => boolean;
  /**
   * Write what is queued; a promise only when the sink asked us to wait (backpressure): the previous chunk has
   * not drained yet. Resolves once what was queued has been handed to the sink.
   */
  flush: () => Promise<void> | undefined;
  /**
   * Write what is queued and wait until the sink has taken all of it (its callback for the last chunk), not only
   * until it has room: a sink may still be holding chunks when the run goes on to close it.
   */
  settle: () => Promise<void>;
};

/** Room past the limit, so a chunk ends after the row that reaches the limit rather than before it. */
const SLACK = 16 * 1024;
/**
 * Chunks kept for reuse at most (5 MB). Reuse keeps as many as were ever in use at once: what the sink holds (a
 * file sink, 1 MB: file-sink.ts) and what queued behind it (the worker's batches come back several at a time).
 * Capped at 20, `url --csv --sign` still allocated 1,176 chunks for a million rows; at 64, 28-34 (measured).
 */
const MAX_FREE = 64;

export type BatchOptions = {
  /** Bytes a chunk is written at (64 KiB by default). */
  limit?: number;
  /**
   * Whether the sink is done with a chunk once it has called back for it (a file: the bytes are with the
   * system), so the chunk can be filled again. A sink that may keep the chunk (a pipe into a reader in this
   * process) must not say so.
   */
  reuse?: boolean;
};

export function createBatch(stream: Writable, options: BatchOptions = {}): Batch {
  const { limit = 64 * 1024, reuse = false } = options;
  // The chunk being filled; a chunk handed to the sink is not written into again until the sink has called back
  // for it, and only with `reuse`. Chunks reach the limit (a file stream's default highWaterMark, 64 KiB on Node
  // 22 and later): at the default, the sink asks us to wait after each one, as it did for the 64 K-character
  // strings this replaced, so a failing sink's error is seen before the run finishes.
  // Reused, a file's chunks are a few instead of a new one each 64 KiB: allocated by the thousand (12,000 for a
  // million rows), they waited for the collector to free them.
  const size = limit + SLACK;
  const free: Buffer[] = [];
  let chunk: Buffer = Buffer.allocUnsafeSlow(size);
  let used = 0;
  // Chunks that filled up before the next flush (a row that did not fit, or one larger than a chunk).
  const sealed: Buffer[] = [];
  const seal = (room: number) => {
    if (used === 0 && chunk.length >= room) return;
    if (used > 0) sealed.push(chunk.subarray(0, used));
    const fits = room <= limit;
    chunk = (fits ? free.pop() : undefined) ?? Buffer.allocUnsafeSlow(Math.max(limit, room) + SLACK);
    used = 0;
  };
  /** A chunk the sink has called back for, to fill again when it allows that. */
  const recycle = (part: Buffer) => {
    if (!reuse || free.length >= MAX_FREE || part.buffer.byteLength !== size) return;
    free.push(Buffer.from(part.buffer, 0, size));
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
  // Chunks written that the sink has not called back for yet (with or without an error: an error is the
  // stream's 'error' event too), and who waits for there to be none (settle).
  let pending = 0;
  let idle: Array<() => void> = [];
  const taken = (part: Buffer, error?: Error | null) => {
    if (!error) recycle(part);
    pending -= 1;
    if (pending > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };
  // The chunk the sink is still writing (it asked us to wait): the next chunk is built meanwhile and written
  // once this one has drained, so the CPU keeps working while the sink holds at most one chunk.
  let inFlight: Promise<void> | undefined;
  const write = (): Promise<void> | undefined => {
    // A chunk in flight may have failed: that error (EPIPE, ENOSPC) is the one to report.
    if (stream.destroyed)
      return Promise.reject(stream.errored ?? new Error('output closed before all rows were written'));
    seal(limit);
    // Chunk by chunk, until the sink asks us to wait: the rest stay queued (full() stays true, so the reading
    // waits on the next flush), and the sink holds at most one chunk past its limit.
    for (let part = sealed.shift(); part !== undefined; part = sealed.shift()) {
      pending += 1;
      if (stream.write(part, (error?: Error | null) => taken(part, error))) continue;
      const drain = drained().finally(() => {
        if (inFlight === drain) inFlight = undefined;
      });
      // Handled here so a failure nobody waits for yet is not an unhandled rejection; the next flush reports it.
      drain.catch(() => {});
      inFlight = drain;
      return undefined;
    }
    return undefined;
  };
  const flush = (): Promise<void> | undefined => {
    if (used === 0 && sealed.length === 0) return inFlight;
    return inFlight ? inFlight.then(write) : write();
  };
  return {
    add(text: string) {
      // At most 3 bytes of UTF-8 per UTF-16 unit: when that much room is left, the row cannot be cut short.
      const room = text.length * 3;
      if (used + room > chunk.length) seal(room);
      used += chunk.write(text, used, 'utf8');
    },
    addBytes(bytes: Uint8Array) {
      // Into chunks of the usual size, cut between characters (never inside a UTF-8 sequence).
      for (let from = 0; from < bytes.length; ) {
        if (used >= limit) seal(limit);
        let to = Math.min(bytes.length, from + limit - used);
        while (to < bytes.length && to > from && ((bytes[to] as number) & 0xc0) === 0x80) to -= 1;
        if (to === from) {
          seal(limit);
          continue;
        }
        chunk.set(bytes.subarray(from, to), used);
        used += to - from;
        from = to;
      }
    },
    full: () => sealed.length > 0 || used >= limit,
    flush,
    async settle() {
      while (used > 0 || sealed.length > 0) await flush();
      await inFlight;
      if (pending > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
