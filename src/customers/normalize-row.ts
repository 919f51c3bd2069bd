/**
 * One customer's raw fields → a normalised customer, or a rejection with a stable reason code.
 * Strict where `serve` is lenient: a row that would greet the wrong person, or call an impossible number, is
 * rejected before anyone is dialled. Pure.
 */
import { CUSTOMER_FIELD_MAX_LENGTH } from '../domain/customer.ts';
import {
  DATE_FORMS,
  MAX_AMOUNT,
  parseAmount,
  parseDueDate,
  type CustomerField,
  type CustomerInput,
} from '../exotel/customer.ts';
import { chooseLanguage, toBcp47 } from '../exotel/language.ts';
import { normalizeMobileIN } from '../exotel/phone.ts';

export const REJECT_REASONS = [
  'column_count',
  'csv_malformed',
  'missing_customer_id',
  'missing_name',
  'missing_phone',
  'phone_invalid',
  'amount_not_numeric',
  'amount_not_positive',
  'amount_too_large',
  'date_invalid',
  'control_characters',
  'field_too_long',
  'duplicate_customer_id',
  'duplicate_phone',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const WARNING_CODES = [
  'language_code_invalid',
  'language_defaulted',
  'url_too_long',
  'custom_field_too_large',
  'invalid_utf8',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export type RowWarning = { code: WarningCode; message: string };
/**
 * `reason` is the row's first problem (the summary counts by it); `message` names every problem of the row,
 * in column order, separated by `; `, so one pass over the rejects file fixes the whole row.
 */
export type Rejection = { reason: RejectReason; message: string };

/** Customer fields as they go on the wire: plain strings, absent fields omitted. */
export type NormalizedCustomer = CustomerInput & {
  customer_id: string;
  customer_name: string;
  phone: string;
  language_code: string;
};

export type NormalizeResult =
  | { ok: true; customer: NormalizedCustomer; warnings: RowWarning[] }
  | ({ ok: false } & Rejection);

// Length limits: the table `serve` truncates to (src/domain/customer.ts), so a URL written here round-trips intact.
// A plain ASCII value no longer than the shortest limit needs no further check.
const SHORTEST_LIMIT = Math.min(...Object.values(CUSTOMER_FIELD_MAX_LENGTH));

/** ₹1 lakh crore: beyond it a float cannot hold paise exactly and the figure is surely a data error. */

// C0/C1 controls and bidi overrides (Trojan-source style reordering); ZWJ/ZWNJ stay, Indic scripts need them.
const FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

// Printable ASCII without leading, trailing or doubled spaces: already clean (and NFC), the common case.
const PLAIN = /^[\x21-\x7E](?: ?[\x21-\x7E])*$/;

// Whitespace that folding or trimming would change: any but a plain space, two spaces in a row, a space at either end.
const UNFOLDED = /[^\S ]| {2}|^ | $/u;

/**
 * Whitespace runs (newlines in quoted cells, NBSP, tabs) → one space, trimmed, NFC; empty → undefined.
 * Returns the clean string, or the rejection (allocation-free on the hot path: this runs 9 times a row).
 */
function cleanText(field: CustomerField, raw: string | undefined): string | undefined | Rejection {
  if (raw === undefined || (raw.length <= SHORTEST_LIMIT && PLAIN.test(raw))) return raw;
  // Folding and trimming change nothing without such whitespace (most names in Indic scripts): one test, no copies.
  const folded = UNFOLDED.test(raw) ? raw.replace(/\s+/gu, ' ').trim() : raw;
  const value = folded.normalize('NFC');
  if (value === '') return undefined;
  if (FORBIDDEN.test(value) || !value.isWellFormed())
    return { reason: 'control_characters', message: `${field} contains control characters` };
  const max = CUSTOMER_FIELD_MAX_LENGTH[field];
  if (max !== undefined && value.length > max)
    return { reason: 'field_too_long', message: `${field} is ${value.length} characters (at most ${max})` };
  return value;
}

/** 15000 → "15000", 1250.5 → "1250.50": a plain decimal that parseAmount reads back to the same number. */
export function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const short = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

function checkAmount(raw: string): { ok: true; value: string } | ({ ok: false } & Rejection) {
  const amount = parseAmount(raw);
  if (!amount.ok) {
    const why = {
      amount_not_positive: 'is not positive',
      amount_not_numeric: 'is not a number',
      amount_too_large: `is above ${MAX_AMOUNT}`,
    }[amount.reason];
    return { ok: false, reason: amount.reason, message: `amount ${short(raw)} ${why}` };
  }
  return { ok: true, value: formatAmount(amount.value) };
}

type RowLanguage = { value: string; warning?: RowWarning };

/**
 * Remembered language choices by (language_code, state): a file holds a few dozen distinct pairs, and choosing
 * (alias tables, lower-casing, whitespace folding) cost more per row than the lookup. Bounded; made per run by
 * the caller (createRowMemo), never module state. The warning objects are shared: nobody mutates them.
 */
type LanguageMemo = Map<string | undefined, Map<string | undefined, RowLanguage>>;
const MEMO_MAX = 4096;

/**
 * What normalising many rows remembers (url --csv), made per run by the caller, never module state: the language
 * choices, and an amount's or a due date's clean text and check by the cell as read. A campaign file holds few
 * distinct due dates and its amounts repeat (the same EMI), and `₹1,250/-` takes the slow paths of cleaning and
 * parsing; a lookup costs less. Each map is bounded (MEMO_MAX): a file of all-distinct amounts stops adding.
 * The results are shared, so nobody mutates them.
 */
export type RowMemo = {
  languages: LanguageMemo;
  amounts: Map<string, Checked<ReturnType<typeof checkAmount>>>;
  dates: Map<string, Checked<ReturnType<typeof parseDueDate>>>;
};

export const createRowMemo = (): RowMemo => ({ languages: new Map(), amounts: new Map(), dates: new Map() });

/** A field's clean text (cleanText), and the check of it when it is text. */
type Checked<T> = { cleaned: Cleaned; checked: T | undefined };

function cleanAndCheck<T>(
  field: CustomerField,
  raw: string | undefined,
  check: (text: string) => T,
  memo: Map<string, Checked<T>> | undefined,
): Checked<T> {
  const known = raw === undefined ? undefined : memo?.get(raw);
  if (known !== undefined) return known;
  const cleaned = cleanText(field, raw);
  const result = { cleaned, checked: typeof cleaned === 'string' ? check(cleaned) : undefined };
  if (raw !== undefined && memo !== undefined && memo.size < MEMO_MAX) memo.set(raw, result);
  return result;
}

function memoLanguage(memo: LanguageMemo, code: string | undefined, state: string | undefined): RowLanguage {
  let byState = memo.get(code);
  const known = byState?.get(state);
  if (known !== undefined) return known;
  const choice = chooseRowLanguage(code, state);
  if (memo.size < MEMO_MAX && (byState?.size ?? 0) < MEMO_MAX) {
    if (byState === undefined) {
      byState = new Map();
      memo.set(code, byState);
    }
    byState.set(state, choice);
  }
  return choice;
}

function chooseRowLanguage(code: string | undefined, state: string | undefined): RowLanguage {
  const choice = chooseLanguage(code, state);
  const value = toBcp47(choice.code);
  if (choice.source === 'default') {
    const why = choice.warning ?? 'no language_code or state';
    return { value, warning: { code: 'language_defaulted', message: `${why}; language en-IN` } };
  }
  if (choice.warning)
    return {
      value,
      warning: { code: 'language_code_invalid', message: `${choice.warning}; language ${value} from state` },
    };
  return { value };
}

function rejectAll(problems: readonly Rejection[]): { ok: false } & Rejection {
  const [first] = problems;
  if (first === undefined) throw new Error('rejectAll: no problem');
  return { ok: false, reason: first.reason, message: problems.map((p) => p.message).join('; ') };
}

type Cleaned = ReturnType<typeof cleanText>;

// normalizeCustomer's scratch list of the row's problems.
const rowProblems: Rejection[] = [];

/** The clean text, or undefined for an empty field or one with a problem (which `problems` collects). */
function take(cleaned: Cleaned, problems: Rejection[]): string | undefined {
  if (typeof cleaned === 'string') return cleaned;
  if (cleaned !== undefined) problems.push(cleaned);
  return undefined;
}

/**
 * Every field is checked, so a rejection lists all of the row's problems, not only the first. `memo`, for many
 * rows, remembers language choices, amounts and due dates (createRowMemo).
 */
export function normalizeCustomer(raw: Readonly<CustomerInput>, memo?: RowMemo): NormalizeResult {
  // Reused: a row's problems are read (rejectAll) before the next row starts; most rows have none.
  const problems = rowProblems;
  problems.length = 0;
  // Field by field, by name, in CUSTOMER_FIELDS order (the order problems are listed in): going through the fields
  // by a variable name (raw[field], clean[field]) cost more than the cleaning. A field with unusable content is
  // reported as such, not again as empty: `=== undefined` below is a field that was empty.
  const rawId = cleanText('customer_id', raw.customer_id);
  const id = take(rawId, problems);
  const rawName = cleanText('customer_name', raw.customer_name);
  const name = take(rawName, problems);
  const rawPhone = cleanText('phone', raw.phone);
  const phoneText = take(rawPhone, problems);
  const loan = take(cleanText('loan_id', raw.loan_id), problems);
  const amountCell = cleanAndCheck('amount', raw.amount, checkAmount, memo?.amounts);
  // Its problem (if any) is listed here, in column order; its text is checked already (amountCell.checked).
  take(amountCell.cleaned, problems);
  const dueCell = cleanAndCheck('due_date', raw.due_date, parseDueDate, memo?.dates);
  const dueText = take(dueCell.cleaned, problems);
  const code = take(cleanText('language_code', raw.language_code), problems);
  const state = take(cleanText('state', raw.state), problems);
  const temp = take(cleanText('temp_call_id', raw.temp_call_id), problems);
  if (rawId === undefined) problems.push({ reason: 'missing_customer_id', message: 'customer_id is empty' });
  if (rawName === undefined) problems.push({ reason: 'missing_name', message: 'customer_name is empty' });
  let phone: string | undefined;
  if (phoneText === undefined) {
    if (rawPhone === undefined) problems.push({ reason: 'missing_phone', message: 'phone is empty' });
  } else {
    phone = normalizeMobileIN(phoneText);
    if (phone === undefined) {
      problems.push({
        reason: 'phone_invalid',
        message: `phone ${short(phoneText)} is not an Indian mobile (10 digits from 6-9, optional 0/91/+91)`,
      });
    }
  }
  let amount: string | undefined;
  const checked = amountCell.checked;
  if (checked !== undefined) {
    if (checked.ok) amount = checked.value;
    else problems.push({ reason: checked.reason, message: checked.message });
  }
  let due: string | undefined;
  const parsed = dueCell.checked;
  if (dueText !== undefined && parsed !== undefined) {
    if (parsed.ok) due = parsed.value;
    else
      problems.push({
        reason: 'date_invalid',
        message: `due_date ${short(dueText)} is not a real date (${DATE_FORMS})`,
      });
  }
  if (problems.length > 0 || id === undefined || name === undefined || phone === undefined) return rejectAll(problems);
  const customer: NormalizedCustomer = { customer_id: id, customer_name: name, phone, language_code: '' };
  if (loan !== undefined) customer.loan_id = loan;
  if (amount !== undefined) customer.amount = amount;
  if (due !== undefined) customer.due_date = due;
  const warnings: RowWarning[] = [];
  const language = memo ? memoLanguage(memo.languages, code, state) : chooseRowLanguage(code, state);
  customer.language_code = language.value;
  if (language.warning) warnings.push(language.warning);
  if (state !== undefined) customer.state = state;
  if (temp !== undefined) customer.temp_call_id = temp;
  if (name.includes('\uFFFD') || state?.includes('\uFFFD')) {
    warnings.push({
      code: 'invalid_utf8',
      message: 'U+FFFD in the name or state (bytes that are not UTF-8): is the file really UTF-8?',
    });
  }
  return { ok: true, customer, warnings };
}
