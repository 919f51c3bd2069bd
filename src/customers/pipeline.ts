/**
 * `url --csv` as a stream: csv-parse (streaming) → one row at a time through the customer processor → batched
 * writes to the output and rejects sinks, honouring backpressure. Memory is constant in the input size except
 * for duplicate tracking, which is O(unique accepted rows) in a compact set (dedupe.ts, ~30 bytes a row).
 * Output sinks are opened only once the header is accepted, so a usage error leaves no half-written files;
 * rows accepted before a later failure are flushed before the error propagates.
 */
import { parse, type CsvError } from 'csv-parse';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CustomerField } from '../exotel/customer.ts';
import { UsageError } from '../errors.ts';
import { planColumns, readRecord, type ColumnPlan } from './columns.ts';
import type { RejectReason, RowWarning, WarningCode } from './normalize-row.ts';
import type { UrlAuth } from './passthru-url.ts';
import { createCustomerProcessor } from './row-processor.ts';
import { createRejectFormatter, createRowFormatter, type OutputFormat, type RejectFormatter, type RowFormatter } from './writers.ts';

export type Sink = { stream: Writable; close: () => Promise<void> };

export type LineWarning = RowWarning & { line: number };

export type PipelineOptions = {
  input: Readable;
  openOutput: () => Promise<Sink>;
  openRejects?: () => Promise<Sink>;
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
  /** A record longer than this (an unclosed quote swallowing the file) stops parsing: memory stays bounded. */
  maxRecordBytes?: number;
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

type Skipped = { skipped: CsvError | undefined };
/** A record's cells, or a record csv-parse could not read, in input order. */
type Item = string[] | Skipped;

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

/** Text queued for one sink, written in ~64 KB chunks; `flush` resolves once the sink can take more. */
function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

function createBatch(stream: Writable, limit = 64 * 1024) {
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

type Batch = ReturnType<typeof createBatch>;

function openParser(options: PipelineOptions) {
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    // A stray quote inside a cell (`"bad"x`) stays text instead of derailing every later record.
    relax_quotes: true,
    // Explicit, so a file mixing CRLF and LF splits on both (auto-detection picks one and glues the rest).
    record_delimiter: ['\r\n', '\n', '\r'],
    // Empty lines come through as [''] and are counted here: every line is then a record, so line numbers are exact.
    skip_empty_lines: false,
    max_record_size: options.maxRecordBytes ?? 1024 * 1024,
    skip_records_with_error: true,
    // Pushed into the record stream so a skipped record keeps its place in the order.
    on_skip: (error) => {
      parser.push({ skipped: error } satisfies Skipped);
      return undefined;
    },
  });
  return parser;
}

/** Rows are handled synchronously inside write(); the callback waits only for the header's sinks and for drain. */
function consumer(state: RunState): Writable {
  return new Writable({
    objectMode: true,
    highWaterMark: 256,
    write(item: Item, _encoding, callback) {
      let pending: Promise<void> | undefined;
      try {
        pending = state.handle(item) ?? state.flushIfFull();
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (pending) pending.then(() => callback(), callback);
      else callback();
    },
  });
}

export async function runUrlPipeline(options: PipelineOptions): Promise<UrlSummary> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const parser = openParser(options);
  const state = createRunState(options, () => parser.info.bytes);
  let failure: unknown;
  try {
    await pipeline(options.input, parser, consumer(state));
  } catch (error) {
    failure = error;
  }
  try {
    await state.finish();
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
  if (!state.started()) {
    throw new UsageError('the CSV is empty: expected a header row', { hint: 'the first line names the columns, e.g. customer_id,name,phone,amount' });
  }
  return state.summary(clock() - started, parser.info.bytes);
}

type RunState = ReturnType<typeof createRunState>;

function createRunState(options: PipelineOptions, bytes: () => number) {
  const processor = createCustomerProcessor(options);
  const counts = { rowsRead: 0, accepted: 0, rejected: 0, warnings: 0, blank: 0 };
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  const warningsByCode: Partial<Record<WarningCode, number>> = {};
  let plan: ColumnPlan | undefined;
  let out: { sink: Sink; batch: Batch; formatter: RowFormatter } | undefined;
  let rejects: { sink: Sink; batch: Batch; formatter: RejectFormatter } | undefined;
  let truncated: string | undefined;
  let prevEnd = 0;
  const every = options.progressEvery ?? 5000;

  const reject = (line: number, reason: RejectReason, message: string, cells: readonly string[]) => {
    counts.rejected += 1;
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    rejects?.batch.add(rejects.formatter.row(line, reason, message, cells));
  };

  const start = async (cells: string[]) => {
    const current = planColumns(cells, options.map);
    options.onHeader?.(current);
    const formatter = createRowFormatter(options.format, current.extras.map((e) => e.name));
    const sink = await options.openOutput();
    // A sink that fails (disk full, `| head` closing the pipe) stops the reading too, instead of parsing on.
    const abort = (error: Error) => options.input.destroy(error);
    sink.stream.on('error', abort);
    out = { sink, batch: createBatch(sink.stream), formatter };
    out.batch.add(formatter.start());
    if (options.openRejects) {
      const rejectSink = await options.openRejects();
      rejectSink.stream.on('error', abort);
      rejects = { sink: rejectSink, batch: createBatch(rejectSink.stream), formatter: createRejectFormatter(current.headers) };
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
    const result = processor.process(raw);
    if (!result.ok) {
      reject(line, result.reason, result.message, cells);
      return;
    }
    counts.accepted += 1;
    for (const warning of result.warnings) {
      counts.warnings += 1;
      warningsByCode[warning.code] = (warningsByCode[warning.code] ?? 0) + 1;
      options.onWarning?.({ ...warning, line });
    }
    out?.batch.add(out.formatter.row(result, extras));
  };

  const skipped = (item: Skipped, line: number) => {
    const code = item.skipped?.code ?? 'CSV_UNKNOWN_ERROR';
    const message = `${code}: ${item.skipped?.message ?? 'unreadable record'}`;
    if (plan === undefined) throw new UsageError(`cannot read the CSV header row: ${message}`);
    counts.rowsRead += 1;
    if (FATAL_CSV.has(code)) truncated = `parsing stopped at line ${line} (${code}: an unclosed quote?); later rows were not read`;
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
      prevEnd = line + lineBreaks(item);
      if (isBlank(item)) counts.blank += 1;
      else if (plan === undefined) return start(item);
      else row(item, line, plan);
      return undefined;
    },
    flushIfFull: () => (out?.batch.full() || rejects?.batch.full() ? flushAll() : undefined),
    async finish() {
      out?.batch.add(out.formatter.end());
      await flushAll();
      await Promise.all([out?.sink.close(), rejects?.sink.close()]);
    },
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
