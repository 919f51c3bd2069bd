/**
 * The customer data a call carries (the public bot's wire format, docs/exotel-protocol.md §9.2), and its
 * normalisation. Shared by `serve` (lenient: a bad field is dropped with a warning, the call goes on) and
 * `url --csv` (strict: a bad field rejects the row before anyone is dialled). The length limits both apply are one
 * table, CUSTOMER_FIELD_MAX_LENGTH in src/domain/customer.ts.
 */
export const CUSTOMER_FIELDS = [
  'customer_id',
  'customer_name',
  'phone',
  'loan_id',
  'amount',
  'due_date',
  'language_code',
  'state',
  'temp_call_id',
] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** Raw customer fields as strings, as they arrive in a query string, a form, a CustomField or a CSV row. */
export type CustomerInput = Partial<Record<CustomerField, string>>;

/**
 * The customer's fields in CUSTOMER_FIELDS order, written into `out` (which it returns): for the loops over every
 * field of a million customers (`url --csv`), where `customer[field]` with a changing `field` is a generic keyed
 * lookup, several times slower than these named reads. `out` is the caller's to reuse.
 */
export function customerFieldValues(
  customer: Readonly<CustomerInput>,
  out: Array<string | undefined>,
): Array<string | undefined> {
  out[0] = customer.customer_id;
  out[1] = customer.customer_name;
  out[2] = customer.phone;
  out[3] = customer.loan_id;
  out[4] = customer.amount;
  out[5] = customer.due_date;
  out[6] = customer.language_code;
  out[7] = customer.state;
  out[8] = customer.temp_call_id;
  return out;
}

export type AmountResult =
  | { ok: true; value: number }
  | { ok: false; reason: 'amount_not_numeric' | 'amount_not_positive' | 'amount_too_large' };

/** The history column is numeric(14,2): anything larger would be refused by the database on every retry. */
export const MAX_AMOUNT = 999_999_999_999.99;

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/**
 * The digits of the common spellings, `15000`, `15000.5`, `₹15,000/-`, `₹1,250.50`, without the regular expressions
 * of the general case (url --csv reads one a row): optional `₹`, digits and commas starting with a digit,
 * optionally `.` and one or two digits, optionally `/-`. What the general case would make of them; anything else
 * (spaces, Rs., a sign) is undefined and left to it.
 */
function plainAmount(input: string): string | undefined {
  let end = input.length;
  if (end >= 2 && input.charCodeAt(end - 1) === 0x2d && input.charCodeAt(end - 2) === 0x2f) end -= 2;
  const start = input.charCodeAt(0) === 0x20b9 ? 1 : 0;
  if (start >= end || !isDigit(input.charCodeAt(start))) return undefined;
  let i = start;
  let commas = false;
  for (; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code === 0x2c) commas = true;
    else if (!isDigit(code)) break;
  }
  if (i < end) {
    // `.` and one or two digits, then the end.
    const decimals = end - i - 1;
    if (input.charCodeAt(i) !== 0x2e || decimals < 1 || decimals > 2) return undefined;
    for (let j = i + 1; j < end; j++) if (!isDigit(input.charCodeAt(j))) return undefined;
  }
  const text = input.slice(start, end);
  return commas ? text.replaceAll(',', '') : text;
}

/** `₹15,000/-`, `Rs. 15000`, `15000.50` → a positive number with at most 2 decimals. */
export function parseAmount(input: string): AmountResult {
  const plain = plainAmount(input);
  if (plain !== undefined) return amountOf(plain, false);
  // `-500` is a number, just not a positive one: say so instead of "not numeric".
  const negative = input.trim().startsWith('-');
  const cleaned = input
    .trim()
    .replace(/^-\s*/, '')
    .replace(/^(?:₹|rs\.?|inr)\s*/i, '')
    .replace(/\/-$/, '')
    .replace(/,/g, '')
    .trim();
  if (!/^[0-9]+(?:\.[0-9]{1,2})?$/.test(cleaned)) return { ok: false, reason: 'amount_not_numeric' };
  return amountOf(cleaned, negative);
}

/** Digits with at most 2 decimals (checked) → the amount, if positive and not too large. */
function amountOf(cleaned: string, negative: boolean): AmountResult {
  const value = Number(cleaned);
  if (negative || !Number.isFinite(value) || value <= 0) return { ok: false, reason: 'amount_not_positive' };
  if (value > MAX_AMOUNT) return { ok: false, reason: 'amount_too_large' };
  return { ok: true, value };
}

export type DateResult = { ok: true; value: string } | { ok: false; reason: 'date_invalid' };

/** The forms parseDueDate reads, for messages and help. */
export const DATE_FORMS = 'YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, DD/MM/YY, DD-Mon-YYYY';

const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'sept',
];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The number written by `count` digits from `from`, or -1 if one of them is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 0x30;
  }
  return value;
}

const isDateSeparator = (code: number) => code === 0x2d || code === 0x2f || code === 0x2e;

/**
 * `YYYY-MM-DD` and `DD/MM/YYYY` written out in full (any one of - / . twice), the usual spellings, read without
 * the regular expressions of dateParts (url --csv reads one a row): what they would read; otherwise undefined.
 */
function fullDateParts(text: string): [number, number, number] | undefined {
  if (text.length !== 10) return undefined;
  const iso = text.charCodeAt(4);
  const dayFirst = text.charCodeAt(2);
  let parts: [number, number, number] | undefined;
  if (isDateSeparator(iso) && text.charCodeAt(7) === iso)
    parts = [digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2)];
  else if (isDateSeparator(dayFirst) && text.charCodeAt(5) === dayFirst)
    parts = [digitsAt(text, 6, 4), digitsAt(text, 3, 2), digitsAt(text, 0, 2)];
  return parts && parts[0] >= 0 && parts[1] >= 0 && parts[2] >= 0 ? parts : undefined;
}

/** Year, month, day from one of the DATE_FORMS; day-first is India's order (11/08/2025 is 11 August). */
function dateParts(text: string): [number, number, number] | undefined {
  const full = fullDateParts(text);
  if (full) return full;
  const iso = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (iso) return [Number(iso[1]), Number(iso[3]), Number(iso[4])];
  const dayFirst = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$/.exec(text);
  if (dayFirst) {
    const year = dayFirst[4] ?? '';
    // Two-digit years are this century's: a due date is never in the 1900s.
    return [year.length === 2 ? 2000 + Number(year) : Number(year), Number(dayFirst[3]), Number(dayFirst[1])];
  }
  // Excel's "11-Aug-2025" (also with spaces, a full month name, or a two-digit year).
  const named = /^(\d{1,2})[- ]([a-z]{3,9})\.?[- ](\d{4}|\d{2})$/i.exec(text);
  if (named) {
    const name = (named[2] ?? '').toLowerCase();
    const month = MONTHS.indexOf(name.slice(0, 3));
    if (month < 0 || (name.length > 3 && !FULL_MONTHS.includes(name))) return undefined;
    const year = named[3] ?? '';
    return [year.length === 2 ? 2000 + Number(year) : Number(year), month + 1, Number(named[1])];
  }
  return undefined;
}

/** Days in a month of the proleptic Gregorian calendar (the one Date uses). */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Any of DATE_FORMS → ISO `YYYY-MM-DD`; impossible dates (31/02) and month-first readings are rejected. */
export function parseDueDate(input: string): DateResult {
  const parts = dateParts(input.trim());
  if (parts === undefined) return { ok: false, reason: 'date_invalid' };
  const [year, month, day] = parts;
  // The calendar checked by arithmetic, not a Date per row: the forms give a 4-digit year (or 20YY), so
  // 1000-9999 is all that needs no sign or padding in ISO form.
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
    return { ok: false, reason: 'date_invalid' };
  }
  return { ok: true, value: `${year}-${two(month)}-${two(day)}` };
}

/** Amount as a spoken rupee figure: 15000 → "15,000", 1250.5 → "1,250.50" (Indian digit grouping). */
export function formatRupees(amount: number): string {
  return (Number.isInteger(amount) ? WHOLE_RUPEES : RUPEES_AND_PAISE).format(amount);
}

// Made once: building an Intl formatter costs far more than using one.
const WHOLE_RUPEES = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
const RUPEES_AND_PAISE = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Pick the customer fields (and only those) out of a parameter bag; empty strings count as absent. */
export function pickCustomerInput(params: Readonly<Record<string, string | undefined>>): CustomerInput {
  const out: CustomerInput = {};
  for (const field of CUSTOMER_FIELDS) {
    const value = params[field];
    if (value !== undefined && value.trim() !== '') out[field] = value.trim();
  }
  return out;
}
