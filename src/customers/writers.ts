/**
 * Output formats of `url --csv`, as string formatters the pipeline writes in batches: csv, ndjson, a JSON
 * array (streamed: `[`, rows, `]`) and bare urls; plus the rejects CSV. Hand-written CSV quoting because each
 * cell needs its own treatment: free text that a spreadsheet would run as a formula (= + - @, tab, CR) gets a
 * leading `'` (OWASP "CSV injection"), while the fields we validated ourselves (E.164 phone, amount, date,
 * language, URL, JSON) are written as they are. Control characters cannot be shown sanely in a spreadsheet
 * cell: csv output replaces them with U+FFFD; JSON escapes them. Pure.
 */
import { CUSTOMER_FIELDS, type CustomerField, type CustomerInput, customerFieldValues } from '../exotel/customer.ts';
import { needsJsonEscape } from '../util/json-string.ts';
import { type AcceptedCustomer, AcceptedRow, CSV_SPECIAL } from './accepted-row.ts';

export const OUTPUT_FORMATS = ['csv', 'ndjson', 'json', 'urls'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Stateless: where a row goes is given, not remembered, so rows can be formatted anywhere (another thread,
 * format-lane.ts) and still join up.
 */
export type RowFormatter = {
  /** Text before the first row (csv header, `[`), or ''. */
  start: () => string;
  /** `index`: how many rows were written before this one. */
  row: (row: AcceptedCustomer, extras: readonly string[], index: number) => string;
  /** Text after the last row, once `rows` rows were written. */
  end: (rows: number) => string;
};

/** Fields whose value we produced after validation: never a formula, written verbatim. */
const TRUSTED: ReadonlySet<string> = new Set<CustomerField | 'passthru_url' | 'custom_field'>([
  'phone',
  'amount',
  'due_date',
  'language_code',
  'passthru_url',
  'custom_field',
]);

// C0 except TAB/LF/CR, DEL, C1.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const QUOTE_OR_CONTROL = CSV_SPECIAL;
const FORMULA_START = /^[=+\-@\t\r]/;

const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
const isSpace = (text: string, index: number) => /\s/.test(text.charAt(index));

// Free text that needs nothing: no quote, delimiter or control, no formula start, no space at either end (\s is
// Unicode whitespace, as in isSpace). One test for the common cell instead of three.
const PLAIN_CELL =
  /^[^\s=+\-@\u0000-\u001F\u007F-\u009F",](?:[^\u0000-\u001F\u007F-\u009F",]*[^\s\u0000-\u001F\u007F-\u009F",])?$/;

export function csvCell(value: string, trusted = false): string {
  if (value === '') return value;
  if (trusted) return QUOTE_OR_CONTROL.test(value) ? quote(value) : value;
  if (PLAIN_CELL.test(value)) return value;
  const special = QUOTE_OR_CONTROL.test(value);
  const edgeSpace = isSpace(value, 0) || isSpace(value, value.length - 1);
  const formula = FORMULA_START.test(value);
  if (!special && !edgeSpace && !formula) return value;
  let text = special ? value.replace(CONTROL, '\uFFFD') : value;
  if (formula) text = `'${text}`;
  return special || edgeSpace ? quote(text) : text;
}

function csvLine(cells: readonly string[], trusted: readonly boolean[] = []): string {
  return `${cells.map((cell, i) => csvCell(cell, trusted[i] === true)).join(',')}\n`;
}

const CUSTOM_FIELD_KEYS = CUSTOMER_FIELDS.map((field) => `""${field}"":`);
// Scratch arrays for customerFieldValues: one for customFieldCell, one for the csv row (which calls customFieldCell).
const cellValues: Array<string | undefined> = [];
const rowValues: Array<string | undefined> = [];

/**
 * csvCell(encodeCustomField(customer), true), written in one pass: the JSON always holds quotes, and doubling
 * them in the finished JSON (a replace over the whole cell) cost more than building the cell.
 */
export function customFieldCell(customer: Readonly<CustomerInput>): string {
  let out = '';
  const values = customerFieldValues(customer, cellValues);
  for (let i = 0; i < CUSTOM_FIELD_KEYS.length; i++) {
    const value = values[i];
    if (value === undefined || value === '') continue;
    const key = CUSTOM_FIELD_KEYS[i];
    const json = needsJsonEscape(value) ? JSON.stringify(value).replaceAll('"', '""') : `""${value}""`;
    out += `${out === '' ? '"{' : ','}${key}${json}`;
  }
  return out === '' ? '{}' : `${out}}"`;
}

/** Output column names for csv: customer fields, carried columns, then the two generated ones. */
export function outputColumns(extraNames: readonly string[]): string[] {
  return [...CUSTOMER_FIELDS, ...extraNames, 'passthru_url', 'custom_field'];
}

/** One accepted row as the JSON object of ndjson/json output: customer fields present, carried columns, the two generated ones. */
export function outputRecord(
  row: AcceptedCustomer,
  extras: readonly string[],
  extraNames: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of CUSTOMER_FIELDS) {
    const value = row.customer[field];
    if (value !== undefined) out[field] = value;
  }
  extraNames.forEach((name, i) => {
    out[name] = extras[i] ?? '';
  });
  out.passthru_url = row.passthruUrl;
  out.custom_field = row.customField;
  return out;
}

export function createRowFormatter(format: OutputFormat, extraNames: readonly string[]): RowFormatter {
  switch (format) {
    case 'csv': {
      const columns = outputColumns(extraNames);
      const trusted = CUSTOMER_FIELDS.map((field) => TRUSTED.has(field));
      return {
        start: () => csvLine(columns),
        row: (row, extras) => {
          let line = '';
          const values = customerFieldValues(row.customer, rowValues);
          for (let i = 0; i < values.length; i++) line += `${csvCell(values[i] ?? '', trusted[i])},`;
          for (const extra of extras) line += `${csvCell(extra)},`;
          // An AcceptedRow's custom_field is encodeCustomField(row.customer) by construction, and it knows whether
          // its URL needs quoting; any other row says its own.
          if (row instanceof AcceptedRow)
            return `${line}${row.plainUrl ? row.passthruUrl : csvCell(row.passthruUrl, true)},${customFieldCell(row.customer)}\n`;
          return `${line}${csvCell(row.passthruUrl, true)},${csvCell(row.customField, true)}\n`;
        },
        end: () => '',
      };
    }
    case 'ndjson':
      return {
        start: () => '',
        row: (row, extras) => `${JSON.stringify(outputRecord(row, extras, extraNames))}\n`,
        end: () => '',
      };
    case 'json':
      return {
        start: () => '[',
        row: (row, extras, index) =>
          `${index === 0 ? '\n' : ',\n'}${JSON.stringify(outputRecord(row, extras, extraNames))}`,
        end: (rows) => (rows === 0 ? ']\n' : '\n]\n'),
      };
    case 'urls':
      return { start: () => '', row: (row) => `${row.passthruUrl}\n`, end: () => '' };
  }
}

const REJECT_COLUMNS = ['line', 'reason', 'message'] as const;

/** Rejects file: line, reason, message, then the original cells under the original headers (extra cells after). */
export type RejectFormatter = {
  start: () => string;
  row: (line: number, reason: string, message: string, cells: readonly string[]) => string;
};

export function createRejectFormatter(headers: readonly string[]): RejectFormatter {
  return {
    start: () => csvLine([...REJECT_COLUMNS, ...headers]),
    row: (line: number, reason: string, message: string, cells: readonly string[]) =>
      csvLine([String(line), reason, message, ...cells], [true, true]),
  };
}
