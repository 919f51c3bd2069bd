/**
 * The per-record state of one `url --csv` run: the header plan, the sinks (opened once the header is accepted),
 * the counters of the summary, and physical line numbers. Every data row is handled synchronously; only opening
 * the sinks is asynchronous.
 */
import type { CsvError } from 'csv-parse';
import type { Readable, Writable } from 'node:stream';
import type { CustomerField } from '../exotel/customer.ts';
import { UsageError } from '../errors.ts';
import { createBatch, type Batch } from './batch.ts';
import { planColumns, readRecord, type ColumnPlan } from './columns.ts';
import { createFormatLane, type FormatLane } from './format-lane.ts';
import type { RejectReason, RowWarning, WarningCode } from './normalize-row.ts';
import type { UrlAuth } from './passthru-url.ts';
import { createCustomerProcessor } from './row-processor.ts';
import type { OversizedRecord } from './record-limit.ts';
import {
  createRejectFormatter,
  createRowFormatter,
  type OutputFormat,
  type RejectFormatter,
  type RowFormatter,
} from './writers.ts';

/**
 * Where rows go. `close` finishes the writing and keeps the result (it throws if the writing failed);
 * `discard`, when the sink can, drops what was written instead (a file sink removes its temporary file).
 * `seal`, when the sink can, finishes the writing without keeping it yet (a file sink: every byte on disk in its
 * temporary file, not yet renamed): the run seals every sink before it keeps any, so a write that fails only at
 * the end (a flush refused at close) leaves all the targets as they were, not `--out` replaced without its rejects.
 */
export type Sink = {
  stream: Writable;
  close: () => Promise<void>;
  discard?: () => Promise<void>;
  seal?: () => Promise<void>;
  /** Whether the stream is done with a chunk once it calls back for it (a file), so it can be written into again. */
  reusesChunks?: boolean;
};

type Open<F> = { sink: Sink; batch: Batch; formatter: F; failed: boolean };

export type LineWarning = RowWarning & { line: number };

/**
 * Opens a sink once the header is accepted. `ended` is aborted when the run ends (fails or is interrupted) while
 * the sink is still opening: the run then waits for the opening and discards the sink, whose file exists
 * already; an opener that can stop early may do so.
 */
type OpenSink = (ended: AbortSignal) => Promise<Sink>;

export type PipelineOptions = {
  input: Readable;
  openOutput: OpenSink;
  openRejects?: OpenSink;
  format: OutputFormat;
  delimiter?: string;
  map?: ReadonlyMap<CustomerField, string>;
  base: string;
  auth: UrlAuth;
  nextTempCallId: () => string;
  onHeader?: (plan: ColumnPlan) => void;
  onWarning?: (warning: LineWarning) => void;
  onProgress?: (progress: { rows: number; bytes: number }) => void;
  progressEvery?: number;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
  /** A record longer than this (1 MB by default) is rejected and skipped, unread: memory stays bounded. */
  maxRecordBytes?: number;
  /**
   * After this many accepted rows, the rest are finished and formatted on a worker thread (format-lane.ts) while
   * this one reads on; unset: all on this thread. The worker's first batch comes back about 0.1 s after it starts,
   * and it holds some 20 MB: worth it only for a large file.
   */
  formatWorkerAfter?: number;
  /**
   * A full garbage collection (the CLI passes V8's `gc`, src/cli/startup-tuning.ts), run when duplicate detection
   * has just replaced megabytes of tables: V8 would free them only at its next full collection, which at a
   * million rows came late enough to add 10-20 MB to the peak RSS.
   */
  collectGarbage?: () => void;
};

export type UrlSummary = {
  rowsRead: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  warnings: number;
  warningsByCode: Partial<Record<WarningCode, number>>;
  emptyLines: number;
  bytesRead: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Set when parsing stopped before the end of the input (rows after it were not read). */
  truncated: string | undefined;
  dedupeBytes: number;
};

export type Skipped = { skipped: CsvError | undefined };
/** A record's cells, or a record csv-parse could not read, in input order. */
export type Item = string[] | Skipped;

/** Tables replaced by duplicate detection worth a full collection: a few times a million rows. */
const COLLECT_AFTER_BYTES = 2 * 1024 * 1024;

const FATAL_CSV = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

/** Line breaks inside a record's cells (CRLF counts once). (csv-parse's own `lines` counts a quoted CRLF twice.) */
function lineBreaks(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) continue;
    count += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return count;
}

function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

export type RunState = ReturnType<typeof createRunState>;

/** What the record limit in front of the parser tells about the records (record-limit.ts). */
export type RecordInfo = {
  bytes: () => number;
  oversized: (cells: readonly string[]) => OversizedRecord | undefined;
  maxRecordBytes: number;
};

export function createRunState(options: PipelineOptions, records: RecordInfo) {
  const { bytes } = records;
  const collect = options.collectGarbage;
  const processor = createCustomerProcessor({
    base: options.base,
    auth: options.auth,
    nextTempCallId: options.nextTempCallId,
    ...(collect ? { onDedupeGrow: (bytes: number) => (bytes >= COLLECT_AFTER_BYTES ? collect() : undefined) } : {}),
  });
  const counts = { rowsRead: 0, accepted: 0, rejected: 0, warnings: 0, blank: 0 };
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  const warningsByCode: Partial<Record<WarningCode, number>> = {};
  let plan: ColumnPlan | undefined;
  let out: Open<RowFormatter> | undefined;
  let rejects: Open<RejectFormatter> | undefined;
  let truncated: string | undefined;
  let lane: FormatLane | undefined;
  /** start() while it opens the sinks: finish() waits for it, so a sink opened when the run failed is discarded. */
  let opening: Promise<void> | undefined;
  const ended = new AbortController();
  let prevEnd = 0;
  const every = options.progressEvery ?? 5000;

  const reject = (line: number, reason: RejectReason, message: string, cells: readonly string[]) => {
    counts.rejected += 1;
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    rejects?.batch.add(rejects.formatter.row(line, reason, message, cells));
  };

  /** A sink that fails (disk full, `| head` closing the pipe) stops the reading too, instead of parsing on. */
  const watch = <F>(sink: Sink, formatter: F): Open<F> => {
    const opened: Open<F> = {
      sink,
      batch: createBatch(sink.stream, { reuse: sink.reusesChunks === true }),
      formatter,
      failed: false,
    };
    sink.stream.on('error', (error: Error) => {
      opened.failed = true;
      options.input.destroy(error);
    });
    return opened;
  };

  const start = async (cells: string[]) => {
    const current = planColumns(cells, options.map);
    options.onHeader?.(current);
    const formatter = createRowFormatter(
      options.format,
      current.extras.map((e) => e.name),
    );
    const sink = await options.openOutput(ended.signal);
    let rejectSink: Sink | undefined;
    try {
      rejectSink = await options.openRejects?.(ended.signal);
    } catch (error) {
      await sink.discard?.();
      throw error;
    }
    out = watch(sink, formatter);
    out.batch.add(formatter.start());
    if (rejectSink) {
      rejects = watch(rejectSink, createRejectFormatter(current.headers));
      rejects.batch.add(rejects.formatter.start());
    }
    plan = current;
  };

  const row = (cells: string[], line: number, current: ColumnPlan) => {
    counts.rowsRead += 1;
    if (counts.rowsRead % every === 0) options.onProgress?.({ rows: counts.rowsRead, bytes: bytes() });
    const width = current.headers.length;
    // Cells past the header are tolerated when empty: spreadsheets often leave trailing commas.
    if (cells.length < width || (cells.length > width && cells.slice(width).some((cell) => cell.trim() !== ''))) {
      reject(line, 'column_count', `row has ${cells.length} cells, the header has ${width}`, cells);
      return;
    }
    const { raw, extras } = readRecord(cells, current);
    const accepted = processor.accept(raw);
    if (!accepted.ok) {
      reject(line, accepted.reason, accepted.message, cells);
      return;
    }
    counts.accepted += 1;
    // The rows written before this one: every accepted row is written, in order.
    const index = counts.accepted - 1;
    const after = options.formatWorkerAfter;
    if (lane === undefined && after !== undefined && index >= after) lane = startLane(current, index);
    if (lane) {
      lane.add(accepted.customer, extras, line, accepted.warnings);
      return;
    }
    const result = processor.finish(accepted.customer, accepted.warnings);
    warn(line, result.warnings);
    out?.batch.add(out.formatter.row(result, extras, index));
  };

  const warn = (line: number, warnings: readonly RowWarning[]) => {
    for (const warning of warnings) {
      counts.warnings += 1;
      warningsByCode[warning.code] = (warningsByCode[warning.code] ?? 0) + 1;
      options.onWarning?.({ ...warning, line });
    }
  };

  /** From the row at `index` on, rows are finished and formatted on a worker thread; they come back in order. */
  const startLane = (current: ColumnPlan, index: number): FormatLane =>
    createFormatLane(
      { base: options.base, auth: options.auth, format: options.format, extraNames: current.extras.map((e) => e.name) },
      index,
      (bytes, lines, warnings) => {
        for (let i = 0; i < lines.length; i++) {
          const rowWarnings = warnings[i];
          if (rowWarnings) warn(lines[i] as number, rowWarnings);
        }
        out?.batch.addBytes(bytes);
      },
    );

  const skipped = (item: Skipped, line: number) => {
    const code = item.skipped?.code ?? 'CSV_UNKNOWN_ERROR';
    const message = `${code}: ${item.skipped?.message ?? 'unreadable record'}`;
    if (plan === undefined) throw new UsageError(`cannot read the CSV header row: ${message}`);
    counts.rowsRead += 1;
    if (FATAL_CSV.has(code))
      truncated = `parsing stopped at line ${line} (${code}: an unclosed quote?); later rows were not read`;
    reject(line, 'csv_malformed', message, []);
  };

  /** A record the limit cut: rejected whole, at the line it starts on; the lines it spanned still count. */
  const cutRecord = (cut: OversizedRecord, line: number) => {
    const toEnd = cut.ranToEnd ? ' and runs to the end of the input (an unclosed quote?)' : '';
    const message = `the record is over ${records.maxRecordBytes} bytes${toEnd}: not read`;
    if (plan === undefined) throw new UsageError(`cannot read the CSV header row: ${message}`);
    counts.rowsRead += 1;
    if (cut.ranToEnd) truncated = `parsing stopped at line ${line}: ${message}; later rows were not read`;
    reject(line, 'csv_malformed', message, []);
  };

  const flushAll = async () => {
    await Promise.all([out?.batch.flush(), rejects?.batch.flush()]);
  };

  return {
    /** Synchronous for every row; a promise only while the header opens the sinks. */
    handle(item: Item): Promise<void> | undefined {
      const line = prevEnd + 1;
      if (!Array.isArray(item)) {
        prevEnd = line;
        skipped(item, line);
        return undefined;
      }
      const cut = records.oversized(item);
      prevEnd = line + lineBreaks(item) + (cut?.droppedLineBreaks ?? 0);
      if (cut) cutRecord(cut, line);
      else if (isBlank(item)) counts.blank += 1;
      else if (plan === undefined) {
        opening = start(item);
        return opening;
      } else row(item, line, plan);
      return undefined;
    },
    flushIfFull(): Promise<void> | undefined {
      const sending = lane?.full() ? lane.send() : undefined;
      const flushing = out?.batch.full() || rejects?.batch.full() ? flushAll() : undefined;
      if (sending === undefined || flushing === undefined) return sending ?? flushing;
      return Promise.all([sending, flushing]).then(() => undefined);
    },
    /**
     * Write the end and close the sinks, keeping what they hold only when the run `succeeded`: a failed run
     * (interrupted, unreadable input, a sink that failed) replaces no file, so the sinks that can are discarded.
     * A sink that failed is still closed: its close explains the failure (which file, which error).
     */
    async finish(succeeded: boolean) {
      // The reading can stop (Ctrl-C destroys the input, a bad record) while start() still awaits an opening
      // sink: that sink's temporary file exists already but is not in `out` yet. Wait until start() has
      // registered it (or discarded it itself), so the discard below covers it too; start()'s own failure has
      // already ended the run.
      ended.abort();
      await opening?.catch(() => undefined);
      // Rows the worker still holds were accepted: they are written before anything else is decided.
      let laneFailure: unknown;
      if (lane) {
        try {
          await lane.drain();
        } catch (error) {
          laneFailure = error ?? new Error('the formatting thread failed');
        } finally {
          await lane.close();
        }
      }
      out?.batch.add(out.formatter.end(counts.accepted));
      const settled = Promise.all([out?.batch.settle(), rejects?.batch.settle()]);
      const flushed = await settled.then(
        () => undefined,
        (error: unknown) => error ?? new Error('flush failed'),
      );
      const opened = [out, rejects].filter((o) => o !== undefined);
      const anyFailed = opened.some((o) => o.failed);
      const keep = succeeded && !anyFailed && laneFailure === undefined;
      if (keep) {
        // All written out before any is kept: one that fails now takes the others' results with it.
        const sealing = await Promise.allSettled(opened.map((o) => o.sink.seal?.()));
        const unsealed = sealing.find((result) => result.status === 'rejected');
        if (unsealed) {
          await Promise.allSettled(opened.map((o) => o.sink.discard?.()));
          throw unsealed.reason;
        }
      }
      const closing = opened.map((o) => (!keep && !o.failed && o.sink.discard ? o.sink.discard() : o.sink.close()));
      const refused = (await Promise.allSettled(closing)).find((result) => result.status === 'rejected');
      if (refused) throw refused.reason;
      if (laneFailure !== undefined) throw laneFailure;
      // A failed sink's own error already stopped the run; the flush that failed after it adds nothing.
      if (flushed !== undefined && !anyFailed) throw flushed;
    },
    /** Whether a sink reported an error: its close then describes the failure better than the bare error. */
    sinkFailed: () => out?.failed === true || rejects?.failed === true,
    started: () => plan !== undefined,
    summary(elapsedMs: number, bytesRead: number): UrlSummary {
      const { rowsRead, accepted, rejected, warnings, blank } = counts;
      return {
        rowsRead,
        accepted,
        rejected,
        warnings,
        rejectedByReason,
        warningsByCode,
        emptyLines: blank,
        bytesRead,
        elapsedMs,
        rowsPerSecond: elapsedMs > 0 ? (rowsRead / elapsedMs) * 1000 : 0,
        truncated,
        dedupeBytes: processor.dedupeBytes,
      };
    },
  };
}
