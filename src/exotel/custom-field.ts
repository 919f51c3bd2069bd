/**
 * Exotel echoes `CustomField` verbatim to Passthru, Greeting and the terminal StatusCallback (docs/exotel-protocol.md §6.1), so per-call
 * customer data travels there in production. Our encoding is compact JSON of string values (§10.3). We also
 * decode the `k=v|k=v` form public code uses (§9.1 item 10), with percent-decoding of values so `|` and `=` survive.
 */
import { jsonString, needsJsonEscape } from '../util/json-string.ts';
import { CUSTOMER_FIELDS, type CustomerInput, customerFieldValues } from './customer.ts';

// The scratch of the encoders below (customerFieldValues): each returns before anything else can use it.
const scratch: Array<string | undefined> = [];

/**
 * Compact JSON with only non-empty fields, in a fixed field order: JSON.stringify of that object, written directly
 * (no object per row; `url --csv` encodes one per customer).
 */
export function encodeCustomField(input: CustomerInput): string {
  let out = '';
  const values = customerFieldValues(input, scratch);
  for (let i = 0; i < CUSTOMER_FIELDS.length; i++) {
    const value = values[i];
    if (value !== undefined && value !== '')
      out += `${out === '' ? '{' : ','}"${CUSTOMER_FIELDS[i]}":${jsonString(value)}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

/**
 * encodeCustomField(input).length without building it, when no value needs a JSON escape (else undefined):
 * `{`, `"field":"value"` joined by commas, `}`.
 */
export function customFieldLength(input: CustomerInput): number | undefined {
  let length = 1;
  const values = customerFieldValues(input, scratch);
  for (let i = 0; i < CUSTOMER_FIELDS.length; i++) {
    const value = values[i];
    if (value === undefined || value === '') continue;
    if (needsJsonEscape(value)) return undefined;
    length += (CUSTOMER_FIELDS[i] as string).length + value.length + 6;
  }
  return length === 1 ? 2 : length;
}

export type CustomFieldDecoded =
  | { ok: true; format: 'json' | 'pipe' | 'empty'; fields: Record<string, string> }
  | { ok: false; error: string };

const MAX_CUSTOM_FIELD = 64 * 1024;

export function decodeCustomField(raw: string | undefined): CustomFieldDecoded {
  if (raw === undefined || raw.trim() === '') return { ok: true, format: 'empty', fields: {} };
  if (raw.length > MAX_CUSTOM_FIELD)
    return { ok: false, error: `CustomField is longer than ${MAX_CUSTOM_FIELD} characters` };
  const text = raw.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, error: 'CustomField looks like JSON but does not parse' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, error: 'CustomField JSON must be an object' };
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') fields[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
    }
    return { ok: true, format: 'json', fields };
  }
  const fields: Record<string, string> = {};
  for (const part of text.split('|')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, error: `CustomField part "${part.slice(0, 40)}" is not key=value` };
    try {
      fields[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
    } catch {
      return { ok: false, error: 'CustomField has a malformed percent-escape' };
    }
  }
  return { ok: true, format: 'pipe', fields };
}

/** The `k=v|k=v` form with `%`, `|` and `=` percent-encoded inside values (for clients that want it). */
export function encodeCustomFieldPipe(input: CustomerInput): string {
  const percentEncode = (value: string) =>
    value.replace(/[%|=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return CUSTOMER_FIELDS.flatMap((field) => {
    const value = input[field];
    return value === undefined || value === '' ? [] : [`${field}=${percentEncode(value)}`];
  }).join('|');
}
