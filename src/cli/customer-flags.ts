/**
 * The one-customer flags `url` and `simulate` share (--customer-id, --name, --phone …): declared once, mapped
 * to the raw customer fields, and named in the message when a value is rejected. Flag names are CLI
 * vocabulary, so they live here and not in customers/ or simulate/.
 */
import { Option, type Command } from 'commander';
import type { CustomerField, CustomerInput } from '../exotel/customer.ts';
import { normalizeCustomer, type NormalizedCustomer, type RejectReason, type RowWarning } from '../customers/normalize-row.ts';
import { UsageError } from '../errors.ts';

const CUSTOMER_FLAGS = [
  { field: 'customer_id', flag: '--customer-id <id>', help: 'customer id' },
  { field: 'customer_name', flag: '--name <name>', help: 'customer name' },
  { field: 'phone', flag: '--phone <number>', help: 'mobile number' },
  { field: 'amount', flag: '--amount <amount>', help: 'amount due' },
  { field: 'loan_id', flag: '--loan-id <id>', help: 'loan id' },
  { field: 'due_date', flag: '--due-date <date>', help: 'due date (YYYY-MM-DD, or day first as in India: DD/MM/YYYY, 11-Aug-2025)' },
  { field: 'language_code', flag: '--language <code>', help: 'language code or name (hi, hi-IN, ta-IN, Tamil …)' },
  { field: 'state', flag: '--state <state>', help: 'state (language fallback)' },
] as const satisfies ReadonlyArray<{ field: CustomerField; flag: string; help: string }>;

type CustomerFlagField = (typeof CUSTOMER_FLAGS)[number]['field'];

export type CustomerOptionsText = {
  /** Put before every description, e.g. 'one-off: '. */
  prefix?: string;
  /** This command's wording for some flags, instead of the shared one (the prefix still applies). */
  help?: Partial<Record<CustomerFlagField, string>>;
};

export function addCustomerOptions(command: Command, text: CustomerOptionsText = {}): Command {
  for (const { field, flag, help } of CUSTOMER_FLAGS) command.addOption(new Option(flag, `${text.prefix ?? ''}${text.help?.[field] ?? help}`));
  return command;
}

/** Commander's parsed options → raw customer fields; a flag not given stays undefined. */
export function customerInput(options: Readonly<Record<string, unknown>>): CustomerInput {
  const input: CustomerInput = {};
  for (const { field, flag } of CUSTOMER_FLAGS) {
    const value = options[new Option(flag).attributeName()];
    input[field] = typeof value === 'string' ? value : undefined;
  }
  return input;
}

export function hasCustomerFlags(options: Readonly<Record<string, unknown>>): boolean {
  return Object.values(customerInput(options)).some((value) => value !== undefined);
}

/** The field a rejection is about, where one flag carries it. */
const REJECTED_FIELD: Partial<Record<RejectReason, CustomerFlagField>> = {
  missing_customer_id: 'customer_id',
  missing_name: 'customer_name',
  missing_phone: 'phone',
  phone_invalid: 'phone',
  amount_not_numeric: 'amount',
  amount_not_positive: 'amount',
  amount_too_large: 'amount',
  date_invalid: 'due_date',
};

function flagFor(reason: RejectReason): string | undefined {
  const field = REJECTED_FIELD[reason];
  const declared = CUSTOMER_FLAGS.find((entry) => entry.field === field);
  return declared === undefined ? undefined : new Option(declared.flag).long;
}

/** A rejected customer as a usage error naming its flag: `--amount: amount … (amount_not_numeric)`. */
export function customerRejected(reason: RejectReason, message: string): UsageError {
  return new UsageError(`${flagFor(reason) ?? 'customer'}: ${message} (${reason})`);
}

function defined(input: CustomerInput): CustomerInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== '')) as CustomerInput;
}

/** defaults < CSV row < flags, normalised the way `url` does; a bad value is a usage error naming its flag. */
export function resolveCustomer(layers: { defaults: CustomerInput; csv?: CustomerInput; flags: CustomerInput }): { customer: NormalizedCustomer; warnings: RowWarning[] } {
  const merged: CustomerInput = { ...layers.defaults, ...defined(layers.csv ?? {}), ...defined(layers.flags) };
  if (merged.language_code === undefined && merged.state === undefined) merged.language_code = 'en-IN';
  const result = normalizeCustomer(merged);
  if (!result.ok) throw customerRejected(result.reason, result.message);
  return { customer: result.customer, warnings: result.warnings };
}
