/**
 * CSV header → customer fields. Headers match case-insensitively after folding spaces, dashes and dots to `_`
 * ("Phone Number" → phone_number), against each field's aliases; a column map (the CLI's `--map`) names anything
 * else. Every other column is carried into the output untouched. Pure; errors carry the field and column as data.
 */
import { UsageError } from '../errors.ts';
import { CUSTOMER_FIELDS, type CustomerField } from '../exotel/customer.ts';

/** Output columns we generate; an input column of that name is replaced, not carried. */
const GENERATED_COLUMNS = ['passthru_url', 'custom_field'] as const;

/** The first alias is the canonical name; order is priority when a file has two candidates. */
export const HEADER_ALIASES: Readonly<Record<CustomerField, readonly string[]>> = {
  customer_id: ['customer_id', 'id', 'cust_id', 'customerid'],
  customer_name: ['customer_name', 'name', 'full_name', 'customername'],
  phone: ['phone', 'phone_number', 'mobile', 'mobile_number', 'phone_no', 'mobile_no', 'contact_number'],
  loan_id: ['loan_id', 'loan_no', 'loan_number', 'loan_account', 'loan'],
  amount: ['amount', 'amount_due', 'due_amount', 'outstanding', 'outstanding_amount'],
  due_date: ['due_date', 'duedate', 'due_on'],
  language_code: ['language_code', 'language', 'lang'],
  state: ['state', 'state_name'],
  temp_call_id: ['temp_call_id'],
};

/** Without these columns every row would be rejected, so their absence is a usage error (exit 2). */
export const REQUIRED_COLUMNS = ['customer_id', 'customer_name', 'phone'] as const satisfies readonly CustomerField[];

type ExtraColumn = { index: number; name: string };

export type ColumnPlan = {
  /** The header cells as read. */
  headers: readonly string[];
  /** Field → column index, for the fields this file has. */
  fields: Readonly<Partial<Record<CustomerField, number>>>;
  /** Carried columns in input order; `name` is the output key (renamed only on a clash). */
  extras: readonly ExtraColumn[];
  warnings: readonly string[];
};

export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const FIELD_BY_ALIAS: ReadonlyMap<string, CustomerField> = new Map(
  CUSTOMER_FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias) => [alias, field] as const)),
);

/** The field a name stands for, by any of its aliases (`name`, `Full Name` → customer_name). */
export function fieldByAlias(name: string): CustomerField | undefined {
  return FIELD_BY_ALIAS.get(normalizeHeader(name));
}

function displayHeaders(headers: readonly string[]): string {
  return headers.map((h) => JSON.stringify(h)).join(', ');
}

/**
 * Match the header row; throws UsageError for a mapped column that is not there (E_MAP_NO_COLUMN), a column mapped
 * twice (E_MAP_TWICE) or a missing required column (E_MISSING_COLUMN), with the field and column in `details`.
 */
export function planColumns(
  headers: readonly string[],
  map: ReadonlyMap<CustomerField, string> = new Map(),
): ColumnPlan {
  const normalized = headers.map(normalizeHeader);
  const used = new Set<number>();
  const fields: Partial<Record<CustomerField, number>> = {};
  const warnings: string[] = [];
  for (const [field, header] of map) {
    const index = normalized.indexOf(normalizeHeader(header));
    if (index < 0) {
      throw new UsageError(`no such column "${header}" (mapped to ${field})`, {
        code: 'E_MAP_NO_COLUMN',
        hint: `columns: ${displayHeaders(headers)}`,
        details: { field, header },
      });
    }
    if (used.has(index))
      throw new UsageError(`column "${header}" is mapped to two fields`, { code: 'E_MAP_TWICE', details: { header } });
    fields[field] = index;
    used.add(index);
  }
  for (const field of CUSTOMER_FIELDS) {
    if (fields[field] !== undefined) continue;
    for (const alias of HEADER_ALIASES[field]) {
      const index = normalized.findIndex((name, i) => name === alias && !used.has(i));
      if (index < 0) continue;
      fields[field] = index;
      used.add(index);
      break;
    }
  }
  for (const field of REQUIRED_COLUMNS) {
    if (fields[field] !== undefined) continue;
    throw new UsageError(`missing required column ${field} (looked for ${HEADER_ALIASES[field].join(', ')})`, {
      code: 'E_MISSING_COLUMN',
      hint: `columns found: ${displayHeaders(headers)}`,
      details: { field },
    });
  }
  return { headers, fields, extras: planExtras(headers, normalized, used, warnings), warnings };
}

function planExtras(
  headers: readonly string[],
  normalized: readonly string[],
  used: ReadonlySet<number>,
  warnings: string[],
): ExtraColumn[] {
  const reserved = new Set<string>([...CUSTOMER_FIELDS, ...GENERATED_COLUMNS]);
  const taken = new Set<string>(reserved);
  const extras: ExtraColumn[] = [];
  headers.forEach((header, index) => {
    if (used.has(index)) return;
    const key = normalized[index] ?? '';
    if ((GENERATED_COLUMNS as readonly string[]).includes(key)) {
      warnings.push(`input column "${header}" is regenerated, not carried`);
      return;
    }
    const base = header.trim() === '' ? `column_${index + 1}` : header.trim();
    // An output column's name would hide the normalised value: prefix it. A repeated header gets _2, _3 ….
    const stem = reserved.has(normalizeHeader(base)) ? `input_${base}` : base;
    let name = stem;
    for (let n = 2; taken.has(normalizeHeader(name)); n++) name = `${stem}_${n}`;
    if (name !== base && header.trim() !== '')
      warnings.push(`input column "${header}" is carried as "${name}" (name already used)`);
    taken.add(normalizeHeader(name));
    extras.push({ index, name });
  });
  return extras;
}

const cellAt = (cells: readonly string[], index: number | undefined) =>
  index === undefined ? undefined : cells[index];

/** One record's cells → the raw customer fields and the carried cells (in plan.extras order). */
export function readRecord(
  cells: readonly string[],
  plan: ColumnPlan,
): { raw: Partial<Record<CustomerField, string>>; extras: string[] } {
  // Field by field, by name: once per row, `raw[field]` with a changing `field` (a generic keyed lookup) cost
  // several times these named reads and writes. The fields present are added in CUSTOMER_FIELDS order.
  const raw: Partial<Record<CustomerField, string>> = {};
  const at = plan.fields;
  const id = cellAt(cells, at.customer_id);
  if (id !== undefined) raw.customer_id = id;
  const name = cellAt(cells, at.customer_name);
  if (name !== undefined) raw.customer_name = name;
  const phone = cellAt(cells, at.phone);
  if (phone !== undefined) raw.phone = phone;
  const loan = cellAt(cells, at.loan_id);
  if (loan !== undefined) raw.loan_id = loan;
  const amount = cellAt(cells, at.amount);
  if (amount !== undefined) raw.amount = amount;
  const due = cellAt(cells, at.due_date);
  if (due !== undefined) raw.due_date = due;
  const code = cellAt(cells, at.language_code);
  if (code !== undefined) raw.language_code = code;
  const state = cellAt(cells, at.state);
  if (state !== undefined) raw.state = state;
  const temp = cellAt(cells, at.temp_call_id);
  if (temp !== undefined) raw.temp_call_id = temp;
  return { raw, extras: plan.extras.map((extra) => cells[extra.index] ?? '') };
}
