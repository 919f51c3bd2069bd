/**
 * The per-row decision shared by `url --csv` and the one-off `url --customer-id …` form: normalise, reject
 * duplicates, give the row its temp_call_id, build the passthru URL and the CustomField, and warn about sizes.
 * State (seen keys, the id generator) lives in the returned closure, never at module level. Pure.
 */
import type { CustomerInput } from '../exotel/customer.ts';
import { type AcceptedCustomer, type AcceptedRow, createRowFinisher, type RowFinisher } from './accepted-row.ts';
import { createDeduper } from './dedupe.ts';
import { createRowMemo, normalizeCustomer, type Rejection, type RowWarning } from './normalize-row.ts';
import type { UrlAuth } from './passthru-url.ts';

export type { AcceptedCustomer } from './accepted-row.ts';

export type ProcessorOptions = {
  /** Resolved base URL (resolveBaseUrl), without the /passthru-handler path. */
  base: string;
  auth: UrlAuth;
  nextTempCallId: () => string;
  /** After duplicate detection's tables grew (dedupe.ts), with the bytes of the tables they replaced. */
  onDedupeGrow?: (replacedBytes: number) => void;
};

type ProcessResult = AcceptedRow | ({ ok: false } & Rejection);

/** The first half of a row's processing: everything that depends on the rows before it (duplicates, ids). */
type AcceptResult =
  | { ok: true; customer: AcceptedCustomer['customer']; warnings: RowWarning[] }
  | ({ ok: false } & Rejection);

export type CustomerProcessor = {
  process: (raw: Readonly<CustomerInput>) => ProcessResult;
  /** process in two halves: `accept`, in input order, then `finish` (accepted-row.ts), which may run anywhere. */
  accept: (raw: Readonly<CustomerInput>) => AcceptResult;
  finish: RowFinisher;
  /** Memory held by duplicate tracking. */
  readonly dedupeBytes: number;
};

export function createCustomerProcessor(options: ProcessorOptions): CustomerProcessor {
  const deduper = createDeduper(options.onDedupeGrow);
  const memo = createRowMemo();
  const finish = createRowFinisher(options.base, options.auth);
  const accept = (raw: Readonly<CustomerInput>): AcceptResult => {
    const normalized = normalizeCustomer(raw, memo);
    if (!normalized.ok) return normalized;
    const base = normalized.customer;
    const duplicate = deduper.claim(base.customer_id, base.phone);
    if (duplicate) return { ok: false, reason: duplicate.duplicate, message: duplicate.message };
    // Set in place (the normalised customer is this row's own object), not copied by Object.assign.
    base.temp_call_id ??= options.nextTempCallId();
    // The normalised result itself, now that its customer has a temp_call_id: no second object a row.
    return normalized as AcceptResult;
  };
  return {
    accept,
    finish,
    process: (raw) => {
      const accepted = accept(raw);
      return accepted.ok ? finish(accepted.customer, accepted.warnings) : accepted;
    },
    get dedupeBytes() {
      return deduper.byteLength;
    },
  };
}
