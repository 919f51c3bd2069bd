/**
 * The customer a simulated call is about: defaults, one CSV row (`--csv file --row N`, or the row whose
 * customer_id is `--customer-id`), then the flags on top; normalised the way `url` does (phone → +91…, amount,
 * due date, language from state), so the call carries what a real campaign would. Pure: the CSV arrives as text.
 */
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.ts';
import type { CustomerInput } from '../exotel/customer.ts';
import { formatIst } from '../exotel/call.ts';
import { planColumns, readRecord } from '../customers/columns.ts';
import { normalizeCustomer, type NormalizedCustomer, type RowWarning } from '../customers/normalize-row.ts';

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
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new UsageError(`cannot read --csv ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
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

function defined(input: CustomerInput): CustomerInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== '')) as CustomerInput;
}

const FLAG_FOR: Readonly<Record<string, string>> = {
  phone_invalid: '--phone',
  amount_not_numeric: '--amount',
  amount_not_positive: '--amount',
  amount_too_large: '--amount',
  date_invalid: '--due-date',
};

/** defaults < CSV row < flags, normalised; a bad value is a usage error naming its flag. */
export function resolveCustomer(layers: { defaults: CustomerInput; csv?: CustomerInput; flags: CustomerInput }): { customer: NormalizedCustomer; warnings: RowWarning[] } {
  const merged: CustomerInput = { ...layers.defaults, ...defined(layers.csv ?? {}), ...defined(layers.flags) };
  if (merged.language_code === undefined && merged.state === undefined) merged.language_code = 'en-IN';
  const result = normalizeCustomer(merged);
  if (!result.ok) throw new UsageError(`${FLAG_FOR[result.reason] ?? 'customer'}: ${result.message} (${result.reason})`);
  return { customer: result.customer, warnings: result.warnings };
}
