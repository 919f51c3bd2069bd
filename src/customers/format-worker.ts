/**
 * The worker thread of format-lane.ts: finishes accepted rows (passthru URL, `--sign`'s HMAC, size warnings) and
 * formats them, encoded as UTF-8, while the main thread reads, normalises and dedupes the rows after them.
 * Loads only what finishing and formatting need (no csv-parse, no CLI).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AcceptedCustomer, createRowFinisher } from './accepted-row.ts';
import {
  type LaneJob,
  type LaneResult,
  type LaneSetup,
  ROW_FIELDS,
  rowFromValues,
  unpackValues,
} from './format-lane-wire.ts';
import type { RowWarning } from './normalize-row.ts';
import { createRowFormatter } from './writers.ts';

const setup = workerData as LaneSetup;
const finish = createRowFinisher(setup.base, setup.auth);
const formatter = createRowFormatter(setup.format, setup.extraNames);
const width = ROW_FIELDS + setup.extraNames.length;

/** Room for the batch's text: at most 3 bytes of UTF-8 per UTF-16 unit, so a row that fits is never cut short. */
function ensure(buffer: Buffer, used: number, room: number): Buffer {
  if (used + room <= buffer.length) return buffer;
  const next = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + room));
  buffer.copy(next, 0, 0, used);
  return next;
}

function run(job: LaneJob): { result: LaneResult; transfer: ArrayBuffer } {
  let buffer: Buffer = job.spare ? Buffer.from(job.spare) : Buffer.allocUnsafeSlow(job.rows * 512);
  let used = 0;
  const warnings: LaneResult['warnings'] = [];
  const values = unpackValues(job.values);
  for (let r = 0; r < job.rows; r++) {
    const at = r * width;
    const customer = rowFromValues(values, at) as AcceptedCustomer['customer'];
    const added: RowWarning[] = [];
    const row = finish(customer, added);
    const text = formatter.row(row, values.slice(at + ROW_FIELDS, at + width), job.index + r);
    buffer = ensure(buffer, used, text.length * 3);
    used += buffer.write(text, used, 'utf8');
    if (added.length > 0) warnings.push([r, added]);
  }
  // The bytes go back without a copy: the ArrayBuffer moves to the main thread (allocUnsafeSlow: its own, not pooled).
  const memory = buffer.buffer as ArrayBuffer;
  return { result: { bytes: new Uint8Array(memory, buffer.byteOffset, used), warnings }, transfer: memory };
}

parentPort?.on('message', (job: LaneJob) => {
  const { result, transfer } = run(job);
  parentPort?.postMessage(result, [transfer]);
});
