/**
 * The worker thread of format-lane.ts: finishes accepted rows (passthru URL, `--sign`'s HMAC, size warnings) and
 * formats them, encoded as UTF-8, while the main thread reads, normalises and dedupes the rows after them.
 * Loads only what finishing and formatting need (no csv-parse, no CLI).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AcceptedCustomer, createRowFinisher } from './accepted-row.ts';
import {
  extrasOf,
  type LaneJob,
  type LaneResult,
  type LaneSetup,
  rowFromValues,
  unpackValues,
} from './format-lane-wire.ts';
import type { RowWarning } from './normalize-row.ts';
import { createRowFormatter, type TextOut } from './writers.ts';

const setup = workerData as LaneSetup;
const finish = createRowFinisher(setup.base, setup.auth);
const formatter = createRowFormatter(setup.format, setup.extraNames);

// The batch's bytes so far: the formatter writes each row's pieces straight in (RowFormatter.write).
let buffer: Buffer = Buffer.alloc(0);
let used = 0;

/** Room for `bytes` more bytes. */
function ensure(bytes: number): void {
  if (used + bytes <= buffer.length) return;
  const next = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + bytes));
  buffer.copy(next, 0, 0, used);
  buffer = next;
}

const out: TextOut & { asciiValues: boolean[] } = {
  asciiValues: [],
  // At most 3 bytes of UTF-8 per UTF-16 unit: with that much room, a piece is never cut short.
  text(text) {
    ensure(text.length * 3);
    used += buffer.write(text, used, 'utf8');
  },
  // ASCII is its own UTF-8: written a byte a character, without encoding.
  ascii(text) {
    ensure(text.length);
    used += buffer.write(text, used, 'latin1');
  },
};

/**
 * A column of ASCII values without control characters but tab, LF and CR (NUL separates them): what
 * TextOut.asciiValues promises. One test a column of the batch, where a test a value cost more than it saved.
 */
const ASCII_COLUMN = /^[\x00\x09\x0A\x0D\x20-\x7E]*$/;

function run(job: LaneJob): { result: LaneResult; transfer: ArrayBuffer } {
  buffer = job.spare ? Buffer.from(job.spare) : Buffer.allocUnsafeSlow(job.rows * 512);
  used = 0;
  const warnings: LaneResult['warnings'] = [];
  out.asciiValues = job.columns.map((column) => typeof column === 'string' && ASCII_COLUMN.test(column));
  const columns = unpackValues(job.columns);
  for (let r = 0; r < job.rows; r++) {
    const customer = rowFromValues(columns, r) as AcceptedCustomer['customer'];
    const added: RowWarning[] = [];
    const row = finish(customer, added);
    formatter.write(row, extrasOf(columns, r), job.index + r, out);
    if (added.length > 0) warnings.push([r, added]);
  }
  // The bytes go back without a copy: the ArrayBuffer moves to the main thread (allocUnsafeSlow: its own, not pooled).
  const memory = buffer.buffer as ArrayBuffer;
  const bytes = new Uint8Array(memory, buffer.byteOffset, used);
  buffer = Buffer.alloc(0);
  return { result: { bytes, warnings }, transfer: memory };
}

parentPort?.on('message', (job: LaneJob) => {
  const { result, transfer } = run(job);
  parentPort?.postMessage(result, [transfer]);
});
