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
  /**
   * row()'s text handed to `out` in pieces, the pieces known to be ASCII apart (`out.ascii`): they are their own
   * UTF-8, while a row holding a name in an Indic script is one two-byte string that costs twice as much to
   * encode whole (format-worker.ts writes them straight into its buffer).
   */
  write: (row: AcceptedCustomer, extras: readonly string[], index: number, out: TextOut) => void;
};

/**
 * Where RowFormatter.write puts a row: `text` any text, `ascii` text with no character beyond U+007F.
 * `asciiValues`, when known: which of a row's values (its customer fields in CUSTOMER_FIELDS order, then its
 * carried cells) are ASCII with no control character but tab, LF and CR, so their cells are ASCII too.
 */
export type TextOut = {
  text: (text: string) => void;
  ascii: (text: string) => void;
  asciiValues?: readonly boolean[];
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
    out += customFieldEntry(i, value, out === '');
  }
  return out === '' ? '{}' : `${out}}"`;
}

/** Field `i` of customFieldCell: its key and value, after the cell's opening or a comma. */
function customFieldEntry(i: number, value: string, first: boolean): string {
  const json = needsJsonEscape(value) ? JSON.stringify(value).replaceAll('"', '""') : `""${value}""`;
  return `${first ? '"{' : ','}${CUSTOM_FIELD_KEYS[i]}${json}`;
}

// A row's pieces on their way to a TextOut (RowFormatter.write): ASCII pieces are joined into one run, handed over
// when a piece that may not be ASCII comes, or at the end of the row. Module state, used by one synchronous call.
let run = '';
const wide = (out: TextOut, text: string) => {
  if (run !== '') out.ascii(run);
  run = '';
  out.text(text);
};
const piece = (out: TextOut, text: string, ascii: boolean | undefined) => {
  if (ascii === true) run += text;
  else wide(out, text);
};

/** The csv row() of an AcceptedRow, written to `out` in pieces, the ASCII ones as ASCII (TextOut.asciiValues). */
function writeCsvRow(row: AcceptedRow, extras: readonly string[], out: TextOut): void {
  const ascii = out.asciiValues ?? [];
  run = '';
  const values = customerFieldValues(row.customer, rowValues);
  for (let i = 0; i < values.length; i++) piece(out, `${csvCell(values[i] ?? '', trustedField[i])},`, ascii[i]);
  for (let i = 0; i < extras.length; i++) piece(out, `${csvCell(extras[i] ?? '')},`, ascii[values.length + i]);
  if (row.plainUrl) run += row.passthruUrl;
  else wide(out, csvCell(row.passthruUrl, true));
  // customFieldCell's pieces, after the comma that ends the URL's cell.
  let first = true;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined || value === '') continue;
    piece(out, `${first ? ',' : ''}${customFieldEntry(i, value, first)}`, ascii[i]);
    first = false;
  }
  run += first ? ',{}\n' : '}"\n';
  out.ascii(run);
  run = '';
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

const trustedField = CUSTOMER_FIELDS.map((field) => TRUSTED.has(field));

/** A csv row's customer and carried cells, each followed by its comma. */
function cells(row: AcceptedCustomer, extras: readonly string[]): string {
  let line = '';
  const values = customerFieldValues(row.customer, rowValues);
  for (let i = 0; i < values.length; i++) line += `${csvCell(values[i] ?? '', trustedField[i])},`;
  for (const extra of extras) line += `${csvCell(extra)},`;
  return line;
}

// An AcceptedRow knows whether its URL needs quoting, and its custom_field is encodeCustomField(row.customer) by
// construction; any other row says its own.
const urlCell = (row: AcceptedCustomer): string =>
  row instanceof AcceptedRow && row.plainUrl ? row.passthruUrl : csvCell(row.passthruUrl, true);

/** The comma after the URL, the custom_field cell and the end of the line. */
const lastCell = (row: AcceptedCustomer): string =>
  `,${row instanceof AcceptedRow ? customFieldCell(row.customer) : csvCell(row.customField, true)}\n`;

/** A csv row, any AcceptedCustomer. */
const csvRow = (row: AcceptedCustomer, extras: readonly string[]): string =>
  `${cells(row, extras)}${urlCell(row)}${lastCell(row)}`;

/** A format whose rows are one string each: write() hands over row(). */
function whole(formatter: Omit<RowFormatter, 'write'>): RowFormatter {
  return { ...formatter, write: (row, extras, index, out) => out.text(formatter.row(row, extras, index)) };
}

export function createRowFormatter(format: OutputFormat, extraNames: readonly string[]): RowFormatter {
  switch (format) {
    case 'csv': {
      const columns = outputColumns(extraNames);
      return {
        start: () => csvLine(columns),
        row: csvRow,
        end: () => '',
        write: (row, extras, _index, out) => {
          if (row instanceof AcceptedRow) writeCsvRow(row, extras, out);
          else out.text(csvRow(row, extras));
        },
      };
    }
    case 'ndjson':
      return whole({
        start: () => '',
        row: (row, extras) => `${JSON.stringify(outputRecord(row, extras, extraNames))}\n`,
        end: () => '',
      });
    case 'json':
      return whole({
        start: () => '[',
        row: (row, extras, index) =>
          `${index === 0 ? '\n' : ',\n'}${JSON.stringify(outputRecord(row, extras, extraNames))}`,
        end: (rows) => (rows === 0 ? ']\n' : '\n]\n'),
      });
    case 'urls':
      return whole({ start: () => '', row: (row) => `${row.passthruUrl}\n`, end: () => '' });
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
