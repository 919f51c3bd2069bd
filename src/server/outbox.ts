/**
 * History writes that failed are not dropped: they wait here, in order, and are retried on the next write and
 * on a timer; `/health` reports how many are pending, and on shutdown whatever still cannot be written is
 * handed to `onUndelivered` (the CLI prints it as JSON lines on stderr), so nothing accepted is lost silently.
 */
import type { Logger } from './logger.ts';

export type Outbox = {
  /** Run the write now (or queue it behind earlier failures). Never rejects. */
  submit: (label: string, record: unknown, write: () => Promise<void>) => Promise<void>;
  pending: () => number;
  /** Try to drain; resolves when the queue is empty or a write failed again. */
  flush: () => Promise<void>;
  close: () => Promise<void>;
};

export type UndeliveredWrite = { label: string; record: unknown };
type Entry = UndeliveredWrite & { write: () => Promise<void>; attempts: number };

export type OutboxOptions = {
  logger: Logger;
  retryMs?: number;
  max?: number;
  onUndelivered?: (writes: UndeliveredWrite[]) => void;
};

export function createOutbox(options: OutboxOptions): Outbox {
  const queue: Entry[] = [];
  const max = options.max ?? 10_000;
  let draining: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, options.retryMs ?? 2000);
    timer.unref();
  };

  const drain = async () => {
    while (queue.length > 0) {
      const entry = queue[0];
      if (!entry) break;
      try {
        await entry.write();
        queue.shift();
        options.logger.info(`history write recovered: ${entry.label} (after ${entry.attempts} failed attempt(s))`);
      } catch {
        entry.attempts += 1;
        schedule();
        return;
      }
    }
  };

  const flush = (): Promise<void> => {
    draining ??= drain().finally(() => {
      draining = undefined;
    });
    return draining;
  };

  const enqueue = (entry: Entry) => {
    if (queue.length >= max) {
      const dropped = queue.shift();
      if (dropped) options.onUndelivered?.([{ label: dropped.label, record: dropped.record }]);
      options.logger.error(`history outbox full (${max}); oldest write handed to the undelivered log: ${dropped?.label ?? ''}`);
    }
    queue.push(entry);
    schedule();
  };

  return {
    submit: async (label, record, write) => {
      if (queue.length > 0) {
        enqueue({ label, record, write, attempts: 0 });
        await flush();
        return;
      }
      try {
        await write();
      } catch (error) {
        options.logger.error(`history write failed, queued for retry: ${label}`, error);
        enqueue({ label, record, write, attempts: 1 });
      }
    },
    pending: () => queue.length,
    flush,
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (queue.length > 0) {
        const writes = queue.map(({ label, record }) => ({ label, record }));
        queue.length = 0;
        options.logger.error(`${writes.length} history write(s) could not be delivered before shutdown`);
        options.onUndelivered?.(writes);
      }
    },
  };
}
