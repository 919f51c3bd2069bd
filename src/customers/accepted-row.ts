/**
 * An accepted row, and the second half of a row's processing (createRowFinisher): the passthru URL and the size
 * warnings. That half depends on nothing but the row, the base URL and the auth, so `url --csv` can run it on
 * another thread (format-lane.ts) while the main thread reads on. Pure.
 */
import { customFieldLength, encodeCustomField } from '../exotel/custom-field.ts';
import type { NormalizedCustomer, RowWarning } from './normalize-row.ts';
import { createPassthruUrlBuilder, CUSTOM_FIELD_WARN_BYTES, URL_WARN_LENGTH, type UrlAuth } from './passthru-url.ts';

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
  /**
   * Whether passthruUrl is printable ASCII without quotes or commas, so a csv cell holds it as it is and its
   * characters are its UTF-8 bytes. Its query always is (every value is percent-encoded or unreserved, and so are
   * the key and the signature); only the base URL could hold anything else.
   */
  readonly plainUrl: boolean;
  #customField: string | undefined;
  constructor(customer: AcceptedCustomer['customer'], passthruUrl: string, warnings: RowWarning[], plainUrl = false) {
    this.customer = customer;
    this.passthruUrl = passthruUrl;
    this.warnings = warnings;
    this.plainUrl = plainUrl;
  }
  get customField(): string {
    this.#customField ??= encodeCustomField(this.customer);
    return this.#customField;
  }
}

/** The UTF-8 size of the row's CustomField, or 0 when it is surely within the warning limit. */
function customFieldBytes(row: AcceptedRow): number {
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short value needs no byte count (nor the JSON built).
  const length = customFieldLength(row.customer) ?? row.customField.length;
  return length * 3 > CUSTOM_FIELD_WARN_BYTES ? Buffer.byteLength(row.customField, 'utf8') : 0;
}

/** The second half: the passthru URL and the size warnings. Depends on nothing but the row, the base and the auth. */
export type RowFinisher = (customer: AcceptedCustomer['customer'], warnings: RowWarning[]) => AcceptedRow;

/** What a csv cell must quote (writers.ts): a quote, a comma, a control character (C0, DEL, C1). */
export const CSV_SPECIAL = /[\u0000-\u001F\u007F-\u009F",]/;

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

export function createRowFinisher(base: string, auth: UrlAuth): RowFinisher {
  const buildUrl = createPassthruUrlBuilder(base, auth);
  // Once for the run: the rest of every URL is plain (AcceptedRow.plainUrl).
  const plainUrl = PRINTABLE_ASCII.test(base) && !CSV_SPECIAL.test(base);
  return (customer, warnings) => {
    const passthruUrl = buildUrl(customer);
    const row = new AcceptedRow(customer, passthruUrl, warnings, plainUrl);
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
  };
}
