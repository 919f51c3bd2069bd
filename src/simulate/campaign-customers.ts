/**
 * The customers a campaign calls: the CSV read once (header aliases as `url` reads them), every row normalised
 * the way `url` does; rows `url` would reject are left out and reported, since Exotel would never dial them.
 * Pure: the CSV arrives as text. Errors speak about the data; the CLI says which flag the file came from.
 */
import { parse } from 'csv-parse/sync';
import { errorMessage, UsageError } from '../errors.ts';
import { planColumns, readRecord } from '../customers/columns.ts';
import { normalizeCustomer, type NormalizedCustomer, type RejectReason } from '../customers/normalize-row.ts';

/** `row` is 1-based among data rows (the header is not a row), as `simulate --row` counts. */
type SkippedRow = { row: number; reason: RejectReason; message: string };

export type CampaignCustomers = { customers: NormalizedCustomer[]; skipped: SkippedRow[]; rows: number };

function readCells(text: string): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new UsageError(`the CSV cannot be read: ${errorMessage(error)}`, { cause: error });
  }
}

export function readCampaignCustomers(text: string): CampaignCustomers {
  const [header, ...rows] = readCells(text);
  if (header === undefined) throw new UsageError('the CSV is empty: expected a header row and customers');
  if (rows.length === 0) throw new UsageError('the CSV has a header but no customer rows');
  const plan = planColumns(header);
  const customers: NormalizedCustomer[] = [];
  const skipped: SkippedRow[] = [];
  rows.forEach((cells, index) => {
    const result = normalizeCustomer(readRecord(cells, plan).raw);
    if (result.ok) customers.push(result.customer);
    else skipped.push({ row: index + 1, reason: result.reason, message: result.message });
  });
  if (customers.length === 0) {
    const first = skipped[0];
    throw new UsageError(`none of the ${rows.length} customer row(s) can be called${first ? ` (row ${first.row}: ${first.message})` : ''}`);
  }
  return { customers, skipped, rows: rows.length };
}
