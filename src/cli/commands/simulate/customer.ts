/**
 * The customer a simulated call is about: the defaults and one CSV row (`--csv file --row N`, or the row whose
 * customer_id is `--customer-id`). The command puts the customer flags on top and normalises the result the way
 * `url` does (../../customer-flags.ts), so the call carries what a real campaign would. Pure: the CSV arrives as
 * text. Loaded only when simulate runs (csv-parse).
 */
import { parse } from 'csv-parse/sync';
import { planColumns, readRecord } from '../../../customers/columns.ts';
import { detectDelimiter, firstLine } from '../../../customers/delimiter.ts';
import { errorMessage, UsageError } from '../../../errors.ts';
import { formatIst } from '../../../exotel/call.ts';
import type { CustomerInput } from '../../../exotel/customer.ts';

export type CsvPick = { row?: number; customerId?: string };

/** A plausible customer, so `simulate` with no flags hears a whole greeting. Due in a week. */
export function defaultCustomer(now: Date): CustomerInput {
  const due = formatIst(new Date(now.getTime() + 7 * 24 * 3600 * 1000)).slice(0, 10);
  return { customer_id: 'SIM-0001', customer_name: 'Test Customer', phone: '+919876543210', loan_id: 'LN-0001', amount: '15000', due_date: due };
}

/** The CSV row to call: 1-based among data rows (the header is not a row), or by customer_id. */
export function pickCsvCustomer(text: string, pick: CsvPick, file: string): CustomerInput {
  let records: string[][];
  try {
    // The delimiter as url guesses it, so the same file gives the same customer.
    const delimiter = detectDelimiter(firstLine(text.replace(/^\uFEFF/, '')));
    records = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new UsageError(`cannot read --csv ${file}: ${errorMessage(error)}`, { cause: error });
  }
  const [header, ...rows] = records;
  if (header === undefined) throw new UsageError(`--csv ${file} is empty: expected a header row and customers`);
  const plan = planColumns(header);
  const read = (cells: string[]) => readRecord(cells, plan).raw;
  if (pick.row !== undefined) {
    const cells = rows[pick.row - 1];
    if (cells === undefined) throw new UsageError(`--row ${pick.row}: ${file} has ${rows.length} customer row(s)`);
    return read(cells);
  }
  if (pick.customerId !== undefined) {
    const found = rows.map(read).find((raw) => raw.customer_id?.trim() === pick.customerId);
    if (found === undefined) throw new UsageError(`--customer-id ${pick.customerId}: no such customer_id in ${file}`);
    return found;
  }
  throw new UsageError('--csv needs --row N (1 = the first customer) or --customer-id ID to pick the customer to call');
}
