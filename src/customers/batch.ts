/** Text queued for one sink and written in ~64 KB chunks, so a million rows are a few hundred writes. */
import type { Writable } from 'node:stream';

export type Batch = {
  add: (text: string) => void;
  full: () => boolean;
  /** Write what is queued; a promise only when the sink asked us to wait (backpressure) — it resolves on drain. */
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
  return {
    add(text: string) {
      parts.push(text);
      size += text.length;
    },
    full: () => size >= limit,
    flush(): Promise<void> | undefined {
      if (size === 0) return undefined;
      if (stream.destroyed) return Promise.reject(new Error('output closed before all rows were written'));
      const chunk = parts.join('');
      parts = [];
      size = 0;
      return stream.write(chunk) ? undefined : drained();
    },
  };
}
