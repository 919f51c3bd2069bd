/**
 * What format-lane.ts and its worker (format-worker.ts) send each other. A batch of rows is a flat list of
 * strings, the customer fields in CUSTOMER_FIELDS order and then the carried cells, row after row, sent joined by
 * NUL into one string: copying one string between threads is a copy of its characters, while a list of strings
 * is walked string by string (measured: 1 µs a row for a list, 0.35 µs to join it). A customer field never holds
 * NUL (normalize-row.ts rejects control characters); a batch with a carried cell that does is sent as the list.
 * Pure.
 */
import { CUSTOMER_FIELDS, type CustomerInput, customerFieldValues } from '../exotel/customer.ts';
import type { OutputFormat } from './writers.ts';
import type { RowWarning } from './normalize-row.ts';
import type { UrlAuth } from './passthru-url.ts';

export type LaneSetup = { base: string; auth: UrlAuth; format: OutputFormat; extraNames: string[] };

/**
 * `rows` rows in `values`; `index`: rows written before the batch's first (the json formatter's comma); `spare`:
 * the memory of an earlier result, handed back to be written into again (each result's would otherwise be
 * garbage that the main thread's collector frees late: measured, 30 MB of RSS more by a million rows).
 */
export type LaneJob = { values: string | string[]; rows: number; index: number; spare: ArrayBuffer | undefined };

const SEPARATOR = '\u0000';

/** A batch being filled: its values, their characters, and whether a carried cell holds the separator. */
export type PendingValues = { values: string[]; chars: number; separatorInside: boolean };

export const emptyValues = (): PendingValues => ({ values: [], chars: 0, separatorInside: false });

/** A batch's values as they travel: joined, unless a carried cell holds the separator. */
export const packValues = (pending: PendingValues): string | string[] =>
  pending.separatorInside ? pending.values : pending.values.join(SEPARATOR);

export const unpackValues = (values: string | string[]): string[] =>
  typeof values === 'string' ? values.split(SEPARATOR) : values;

/** The batch's rows as UTF-8, and the warnings finishing added, by row within the batch. */
export type LaneResult = { bytes: Uint8Array; warnings: Array<[row: number, warnings: RowWarning[]]> };

export const ROW_FIELDS = CUSTOMER_FIELDS.length;

const scratch: Array<string | undefined> = [];

/** Append a customer's fields (an absent field as '': a normalised customer has no empty field) and its cells. */
export function pushRow(pending: PendingValues, customer: Readonly<CustomerInput>, extras: readonly string[]): void {
  const fields = customerFieldValues(customer, scratch);
  for (let i = 0; i < ROW_FIELDS; i++) {
    const value = fields[i] ?? '';
    pending.chars += value.length;
    pending.values.push(value);
  }
  for (const cell of extras) {
    pending.chars += cell.length;
    if (cell.includes(SEPARATOR)) pending.separatorInside = true;
    pending.values.push(cell);
  }
}

/** The customer pushRow wrote at `at`, its absent fields absent again. */
export function rowFromValues(values: readonly string[], at: number): CustomerInput {
  const customer: Record<string, string> = {};
  for (let i = 0; i < ROW_FIELDS; i++) {
    const value = values[at + i];
    if (value !== undefined && value !== '') customer[CUSTOMER_FIELDS[i] as string] = value;
  }
  return customer;
}
