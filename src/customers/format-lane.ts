/**
 * `url --csv` on two threads. A row's processing has two halves (row-processor.ts): accepting it depends on the
 * rows before it (duplicates, temp_call_id) and stays on the main thread with the reading; finishing it (the
 * passthru URL, `--sign`'s HMAC) and formatting it depend on nothing but the row, and run on a worker thread
 * (format-worker.ts) in batches, while the main thread reads on. Batches come back in the order they were sent,
 * so the output is byte for byte what one thread writes.
 *
 * Bounded: at most MAX_IN_FLIGHT batches are with the worker; beyond that `send` returns a promise and the
 * reading waits. A batch ends at BATCH_ROWS rows or BATCH_CHARS characters, whichever comes first.
 */
import { Worker } from 'node:worker_threads';
import type { CustomerInput } from '../exotel/customer.ts';
import { emptyValues, type LaneJob, type LaneResult, type LaneSetup, packValues, pushRow } from './format-lane-wire.ts';
import type { RowWarning } from './normalize-row.ts';

export type { LaneSetup } from './format-lane-wire.ts';

const WORKER_FILE = new URL(`./format-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
const BATCH_ROWS = 256;
const BATCH_CHARS = 1024 * 1024;
// Four, not two: with two, a thread waited whenever the other was briefly slower (a profile at a million rows
// had each idle for most of a second); four took 0.05-0.3 s off such a run (measured). A batch is ~300 KB.
const MAX_IN_FLIGHT = 4;
// 3, not 6: as fast, and the largest peak RSS of 6 url runs was 142-143 MB instead of 146-151 (measured, bench:url,
// two runs of it each).
const YOUNG_MB = 3;

/**
 * A batch back from the worker: its bytes (to copy: the memory goes back to the worker), then each row's line and
 * warnings (the main thread's, then the worker's).
 */
export type LaneOutput = (
  bytes: Uint8Array,
  lines: readonly number[],
  warnings: readonly (readonly RowWarning[] | undefined)[],
) => void;

export type FormatLane = {
  /** Queue an accepted row; `warnings` is the row's own list (the worker's warnings are added to it, or to a new one). */
  add: (customer: Readonly<CustomerInput>, extras: readonly string[], line: number, warnings: RowWarning[]) => void;
  /** Whether a batch is ready to send. */
  full: () => boolean;
  /** Send what is queued; a promise when the worker already holds MAX_IN_FLIGHT batches: read on once it settles. */
  send: () => Promise<void> | undefined;
  /** Send what is queued and wait until every batch is back and output. */
  drain: () => Promise<void>;
  /** Stop the worker (whatever it still holds is dropped). */
  close: () => Promise<void>;
};

// A row without warnings has none in `warnings`: most rows have none, and an empty list a row is garbage to collect.
type Sent = { lines: number[]; warnings: (RowWarning[] | undefined)[] };

/** `index`: rows written before the lane's first row (rows the main thread formatted itself). */
export function createFormatLane(setup: LaneSetup, index: number, output: LaneOutput): FormatLane {
  // A small young generation, as the main thread's (src/cli/startup-tuning.ts): a batch's garbage is a few
  // hundred kilobytes, and a larger one only held more memory.
  const worker = new Worker(WORKER_FILE, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
  const extraCount = setup.extraNames.length;
  let pending = emptyValues(extraCount);
  let batch: Sent = { lines: [], warnings: [] };
  let next = index;
  const sent: Sent[] = [];
  // Results' memory, once output, to send back with the next jobs (LaneJob.spare).
  const spares: ArrayBuffer[] = [];
  let failure: Error | undefined;
  let closing = false;
  // Settled when fewer than MAX_IN_FLIGHT batches (waitingRoom) or none (waitingEmpty) are with the worker.
  let waitingRoom: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let waitingEmpty: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  const fail = (error: Error) => {
    failure ??= error;
    waitingRoom?.reject(failure);
    waitingRoom = undefined;
    for (const waiter of waitingEmpty) waiter.reject(failure);
    waitingEmpty = [];
  };
  worker.on('message', (result: LaneResult) => {
    const done = sent.shift();
    if (done === undefined || failure !== undefined) return;
    for (const [row, added] of result.warnings) {
      const own = done.warnings[row];
      if (own) own.push(...added);
      else done.warnings[row] = added;
    }
    try {
      output(result.bytes, done.lines, done.warnings);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (spares.length < MAX_IN_FLIGHT) spares.push(result.bytes.buffer as ArrayBuffer);
    if (sent.length < MAX_IN_FLIGHT) {
      waitingRoom?.resolve();
      waitingRoom = undefined;
    }
    if (sent.length === 0) {
      for (const waiter of waitingEmpty) waiter.resolve();
      waitingEmpty = [];
    }
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`the formatting thread stopped (exit code ${code})`));
  });

  const post = () => {
    if (batch.lines.length === 0) return;
    const spare = spares.pop();
    const job: LaneJob = { columns: packValues(pending), rows: batch.lines.length, index: next, spare };
    next += batch.lines.length;
    sent.push(batch);
    worker.postMessage(job, spare ? [spare] : []);
    pending = emptyValues(extraCount);
    batch = { lines: [], warnings: [] };
  };

  return {
    add(customer, extras, line, warnings) {
      if (failure) throw failure;
      pushRow(pending, customer, extras);
      batch.lines.push(line);
      batch.warnings.push(warnings.length > 0 ? warnings : undefined);
    },
    full: () => batch.lines.length >= BATCH_ROWS || pending.chars >= BATCH_CHARS,
    send() {
      if (failure) return Promise.reject(failure);
      post();
      if (sent.length < MAX_IN_FLIGHT) return undefined;
      return new Promise<void>((resolve, reject) => {
        waitingRoom = { resolve, reject };
      });
    },
    drain() {
      if (failure) return Promise.reject(failure);
      post();
      if (sent.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waitingEmpty.push({ resolve, reject });
      });
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}
