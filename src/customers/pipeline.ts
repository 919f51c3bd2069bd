/**
 * `url --csv` as a stream: csv-parse (streaming) → one row at a time through the customer processor → batched
 * writes to the output and rejects sinks, honouring backpressure. Memory is constant in the input size except
 * for duplicate tracking, which is O(unique accepted rows) in a compact set (dedupe.ts, 25-35 bytes a row).
 * Output sinks are opened only once the header is accepted, so a usage error leaves no half-written files;
 * rows accepted before a later failure are flushed before the error propagates, and a sink that can discard
 * what it holds (a file written through a temporary one) does so: only a run that completes replaces a file.
 */
import { parse } from 'csv-parse';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.ts';
import { createRecordLimit } from './record-limit.ts';
import {
  createRunState,
  type Item,
  type PipelineOptions,
  type RunState,
  type Skipped,
  type UrlSummary,
} from './run-state.ts';

export type { LineWarning, PipelineOptions, Sink, UrlSummary } from './run-state.ts';

const MAX_RECORD_BYTES = 1024 * 1024;

function openParser(options: PipelineOptions, maxRecordBytes: number) {
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
    // Records over the limit are cut by record-limit.ts before csv-parse sees them; this is only a backstop
    // (csv-parse cannot carry on after it: see record-limit.ts), twice as far, for input it reads differently.
    max_record_size: maxRecordBytes * 2 + 1024,
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
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const limit = createRecordLimit({ maxBytes: maxRecordBytes, delimiter: options.delimiter ?? ',' });
  const parser = openParser(options, maxRecordBytes);
  const state = createRunState(options, { bytes: limit.bytes, oversized: limit.oversized, maxRecordBytes });
  let failure: unknown;
  try {
    await pipeline(options.input, limit.stream, parser, consumer(state));
  } catch (error) {
    failure = error;
  }
  try {
    await state.finish(failure === undefined);
  } catch (error) {
    // A sink that failed explains itself on closing (which file, which OS error): better than the bare error
    // that stopped the reading.
    if (failure === undefined || state.sinkFailed()) failure = error;
  }
  if (failure !== undefined) throw failure;
  if (!state.started()) {
    throw new UsageError('the CSV is empty: expected a header row', {
      hint: 'the first line names the columns, e.g. customer_id,name,phone,amount',
    });
  }
  return state.summary(clock() - started, limit.bytes());
}
