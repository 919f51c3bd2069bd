/**
 * What format-lane.ts and its worker (format-worker.ts) send each other. A batch of rows travels column by column:
 * each column (a customer field in CUSTOMER_FIELDS order, then each carried cell) is its values joined by NUL
 * into one string. Copying one string between threads is a copy of its characters, while a list of strings is
 * walked string by string (measured: 1 µs a row for a list, 0.35 µs to join it). One string per column, not one
 * per batch: a string holding one character beyond Latin-1 (a name in Devanagari) is stored two bytes a
 * character, and so is every piece split from it, so a joined batch made every value of the batch two-byte on
 * the worker, and its passthru URL, and every output row, which then cost twice as much to encode as UTF-8
 * (docs/architecture.md, "url --csv on two threads"). Joined by column, only the columns that hold such text are.
 * A customer field never holds NUL (normalize-row.ts rejects control characters); a carried column that does is
 * sent as its list. Pure.
 */
import { CUSTOMER_FIELDS, type CustomerInput, customerFieldValues } from '../exotel/customer.ts';
import type { OutputFormat } from './writers.ts';
import type { RowWarning } from './normalize-row.ts';
import type { UrlAuth } from './passthru-url.ts';

export type LaneSetup = { base: string; auth: UrlAuth; format: OutputFormat; extraNames: string[] };

/**
 * `rows` rows in `columns`; `index`: rows written before the batch's first (the json formatter's comma); `spare`:
 * the memory of an earlier result, handed back to be written into again (each result's would otherwise be
 * garbage that the main thread's collector frees late: measured, 30 MB of RSS more by a million rows).
 */
export type LaneJob = {
  columns: Array<string | string[]>;
  rows: number;
  index: number;
  spare: ArrayBuffer | undefined;
};

const SEPARATOR = '\u0000';

const ROW_FIELDS = CUSTOMER_FIELDS.length;

/** A batch being filled: its columns, their characters so far, and which columns hold the separator. */
export type PendingValues = { columns: string[][]; chars: number; separatorInside: boolean[] };

/** An empty batch of `width` columns: the customer fields and `extras` carried cells. */
export const emptyValues = (extras: number): PendingValues => ({
  columns: Array.from({ length: ROW_FIELDS + extras }, () => []),
  chars: 0,
  separatorInside: [],
});

/** A batch's columns as they travel: each joined, unless it holds the separator. */
export const packValues = (pending: PendingValues): Array<string | string[]> =>
  pending.columns.map((column, i) => (pending.separatorInside[i] === true ? column : column.join(SEPARATOR)));

export const unpackValues = (columns: ReadonlyArray<string | string[]>): string[][] =>
  columns.map((column) => (typeof column === 'string' ? column.split(SEPARATOR) : column));

/** The batch's rows as UTF-8, and the warnings finishing added, by row within the batch. */
export type LaneResult = { bytes: Uint8Array; warnings: Array<[row: number, warnings: RowWarning[]]> };

const scratch: Array<string | undefined> = [];

/** Append a customer's fields (an absent field as '': a normalised customer has no empty field) and its cells. */
export function pushRow(pending: PendingValues, customer: Readonly<CustomerInput>, extras: readonly string[]): void {
  const { columns } = pending;
  const fields = customerFieldValues(customer, scratch);
  for (let i = 0; i < ROW_FIELDS; i++) {
    const value = fields[i] ?? '';
    pending.chars += value.length;
    (columns[i] as string[]).push(value);
  }
  for (let i = 0; i < extras.length; i++) {
    const cell = extras[i] as string;
    pending.chars += cell.length;
    if (cell.includes(SEPARATOR)) pending.separatorInside[ROW_FIELDS + i] = true;
    (columns[ROW_FIELDS + i] as string[]).push(cell);
  }
}

/** The customer pushRow wrote as row `row`, its absent fields absent again. */
export function rowFromValues(columns: readonly string[][], row: number): CustomerInput {
  const customer: Record<string, string> = {};
  for (let i = 0; i < ROW_FIELDS; i++) {
    const value = (columns[i] as string[])[row];
    if (value !== undefined && value !== '') customer[CUSTOMER_FIELDS[i] as string] = value;
  }
  return customer;
}

/** The carried cells of row `row`. */
export function extrasOf(columns: readonly string[][], row: number): string[] {
  const cells: string[] = [];
  for (let i = ROW_FIELDS; i < columns.length; i++) cells.push((columns[i] as string[])[row] ?? '');
  return cells;
}
