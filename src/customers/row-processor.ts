/**
 * The per-row decision shared by `url --csv` and the one-off `url --customer-id …` form: normalise, reject
 * duplicates, give the row its temp_call_id, build the passthru URL and the CustomField, and warn about sizes.
 * State (seen keys, the id generator) lives in the returned closure, never at module level. Pure.
 */
import { customFieldLength, encodeCustomField } from '../exotel/custom-field.ts';
import type { CustomerInput } from '../exotel/customer.ts';
import { createDeduper } from './dedupe.ts';
import {
  createLanguageMemo,
  normalizeCustomer,
  type NormalizedCustomer,
  type Rejection,
  type RowWarning,
} from './normalize-row.ts';
import { createPassthruUrlBuilder, CUSTOM_FIELD_WARN_BYTES, URL_WARN_LENGTH, type UrlAuth } from './passthru-url.ts';

export type ProcessorOptions = {
  /** Resolved base URL (resolveBaseUrl), without the /passthru-handler path. */
  base: string;
  auth: UrlAuth;
  nextTempCallId: () => string;
};

export type AcceptedCustomer = {
  customer: NormalizedCustomer & { temp_call_id: string };
  passthruUrl: string;
  customField: string;
  warnings: RowWarning[];
};

/**
 * An accepted row whose CustomField JSON is built only when read: csv output, the common case, writes its cell
 * straight from the customer (customFieldCell in writers.ts), so building the JSON as well would be wasted.
 */
export class AcceptedRow implements AcceptedCustomer {
  readonly ok = true;
  readonly customer: AcceptedCustomer['customer'];
  readonly passthruUrl: string;
  readonly warnings: RowWarning[];
  #customField: string | undefined;
  constructor(customer: AcceptedCustomer['customer'], passthruUrl: string, warnings: RowWarning[]) {
    this.customer = customer;
    this.passthruUrl = passthruUrl;
    this.warnings = warnings;
  }
  get customField(): string {
    this.#customField ??= encodeCustomField(this.customer);
    return this.#customField;
  }
}

type ProcessResult = AcceptedRow | ({ ok: false } & Rejection);

/** The UTF-8 size of the row's CustomField, or 0 when it is surely within the warning limit. */
function customFieldBytes(row: AcceptedRow): number {
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short value needs no byte count (nor the JSON built).
  const length = customFieldLength(row.customer) ?? row.customField.length;
  return length * 3 > CUSTOM_FIELD_WARN_BYTES ? Buffer.byteLength(row.customField, 'utf8') : 0;
}

export type CustomerProcessor = {
  process: (raw: Readonly<CustomerInput>) => ProcessResult;
  /** Memory held by duplicate tracking. */
  readonly dedupeBytes: number;
};

export function createCustomerProcessor(options: ProcessorOptions): CustomerProcessor {
  const deduper = createDeduper();
  const languages = createLanguageMemo();
  const buildUrl = createPassthruUrlBuilder(options.base, options.auth);
  return {
    process: (raw) => {
      const normalized = normalizeCustomer(raw, languages);
      if (!normalized.ok) return normalized;
      const { customer: base, warnings } = normalized;
      const duplicate = deduper.claim(base.customer_id, base.phone);
      if (duplicate) return { ok: false, reason: duplicate.duplicate, message: duplicate.message };
      // Set in place (the normalised customer is this row's own object), not copied by Object.assign.
      base.temp_call_id ??= options.nextTempCallId();
      const customer = base as AcceptedCustomer['customer'];
      const passthruUrl = buildUrl(customer);
      const row = new AcceptedRow(customer, passthruUrl, warnings);
      if (passthruUrl.length > URL_WARN_LENGTH) {
        warnings.push({
          code: 'url_too_long',
          message: `passthru_url is ${passthruUrl.length} characters (over ${URL_WARN_LENGTH})`,
        });
      }
      const bytes = customFieldBytes(row);
      if (bytes > CUSTOM_FIELD_WARN_BYTES) {
        warnings.push({
          code: 'custom_field_too_large',
          message: `custom_field is ${bytes} bytes (over ${CUSTOM_FIELD_WARN_BYTES})`,
        });
      }
      return row;
    },
    get dedupeBytes() {
      return deduper.byteLength;
    },
  };
}
