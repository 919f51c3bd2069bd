/**
 * Signed passthru URLs (`url --sign`): `exp` (unix seconds) and `sig` = HMAC-SHA256(secret, canonical string)
 * over the customer parameters, so nobody can edit the amount or the customer in a URL.
 *
 * The canonical string is JSON: `["exo-passthru signed url v2", exp, [[name, value], …]]` with the customer fields
 * sorted by name. JSON quotes and escapes every value, so no value can pass for a separator: folding `phone` and
 * `loan_id` into `customer_name` (which a `name=value` line format allowed) changes the signed bytes. Signatures
 * made with the earlier line format no longer verify.
 *
 * The verifier sees every occurrence of a name: a signed name given twice is refused whatever the values, so
 * whichever copy a reader keeps, it is the one that was signed. A customer field that is present but empty counts
 * (the signer never signs one), so adding `amount=` is a change too.
 * Exotel itself signs nothing (docs/exotel-protocol.md §7): this protects the URLs we hand out.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { jsonString } from '../util/json-string.ts';
import { CUSTOMER_FIELDS, customerFieldValues } from './customer.ts';

type Params = Readonly<Record<string, string | undefined>>;
type Entry = readonly [name: string, value: string];

const CANONICAL_VERSION = 'exo-passthru signed url v2';
const SIGNED_NAMES: ReadonlySet<string> = new Set([...CUSTOMER_FIELDS, 'exp', 'sig']);
const CUSTOMER_NAMES: ReadonlySet<string> = new Set(CUSTOMER_FIELDS);

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function canonical(fields: readonly Entry[], exp: string): string {
  const sorted = [...fields].sort(([a], [b]) => byName(a, b));
  return JSON.stringify([CANONICAL_VERSION, exp, sorted]);
}

/**
 * The customer fields in the canonical string's order (sorted by name), with their place in CUSTOMER_FIELDS and
 * the bytes of an entry's opening, `["name",`.
 */
const SORTED_FIELDS = [...CUSTOMER_FIELDS]
  .sort(byName)
  .map((field) => [field, CUSTOMER_FIELDS.indexOf(field), Buffer.from(`["${field}",`, 'latin1')] as const);
// The scratch of canonicalCustomer and of the signer (customerFieldValues): each is done with it before it returns,
// and the signer's fallback (canonicalCustomer) reads the same customer into it again.
const scratch: Array<string | undefined> = [];

/**
 * canonical(signedFields(params), exp) without the entry arrays, the sort and the generic JSON.stringify per row:
 * the same text (the fields are already in sorted order; a value that needs no escape is written as it is).
 */
function canonicalCustomer(params: Params, head: string): string {
  let text = head;
  let separator = '';
  const values = customerFieldValues(params, scratch);
  for (const [field, at] of SORTED_FIELDS) {
    const value = values[at];
    if (value === undefined || value === '') continue;
    text += `${separator}["${field}",${jsonString(value)}]`;
    separator = ',';
  }
  return `${text}]]`;
}

function mac(secret: string, fields: readonly Entry[], exp: string): Buffer {
  return createHmac('sha256', secret).update(canonical(fields, exp)).digest();
}

/** The customer fields a signer signs: present and non-empty, exactly those `url --sign` writes into the URL. */
function signedFields(params: Params): Entry[] {
  const fields: Entry[] = [];
  for (const field of CUSTOMER_FIELDS) {
    const value = params[field];
    if (value !== undefined && value !== '') fields.push([field, value]);
  }
  return fields;
}

export function signCustomerParams(params: Params, secret: string, expiresAt: Date): { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  return { exp, sig: mac(secret, signedFields(params), exp).toString('base64url') };
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CLOSE = 0x5d;

/**
 * `value` as a JSON string into `target` at `at`, when it is printable ASCII without `"` or `\` (JSON writes
 * such a value as it is between quotes, a byte a character in UTF-8): the end of what it wrote. -1 for any other
 * value, of which it may have written a part. The caller has checked the room (2 + value.length bytes).
 */
function writePlainAscii(value: string, target: Buffer, at: number): number {
  let i = at;
  target[i++] = QUOTE;
  for (let k = 0; k < value.length; k++) {
    const code = value.charCodeAt(k);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === 0x5c) return -1;
    target[i++] = code;
  }
  target[i++] = QUOTE;
  return i;
}

/** SHA-256's block size: an HMAC key is padded (or first hashed) to this many bytes (RFC 2104). */
const BLOCK = 64;
/** Room for a canonical string in the signer's buffer; a longer one is signed with createHmac. */
const ROOM = 16 * 1024;

/**
 * signCustomerParams for many rows with one secret and one expiry: the same `exp` and `sig`, but the HMAC key
 * schedule (RFC 2104: the key padded and XORed with ipad / opad) is computed once instead of once per row, and
 * each row is two one-shot SHA-256 calls over reused buffers.
 */
export function createCustomerSigner(
  secret: string,
  expiresAt: Date,
): (params: Params) => { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  // `["exo-passthru signed url v2","<exp>",[`: the canonical string up to its first entry (ASCII).
  const head = `${JSON.stringify([CANONICAL_VERSION, exp]).slice(0, -1)},[`;
  // A canonical string too long for the buffer below.
  const hmacOf = (params: Params) =>
    createHmac('sha256', secret).update(canonicalCustomer(params, head)).digest('base64url');
  const raw = Buffer.from(secret, 'utf8');
  const key = Buffer.alloc(BLOCK);
  (raw.length > BLOCK ? hash('sha256', raw, 'buffer') : raw).copy(key);
  const inner = Buffer.alloc(BLOCK + ROOM);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (key[i] ?? 0) ^ 0x36;
    outer[i] = (key[i] ?? 0) ^ 0x5c;
  }
  // The head once, in place: every row's canonical string starts with it.
  const start = BLOCK + inner.write(head, BLOCK, 'latin1');
  return (params) => {
    // The canonical string (canonicalCustomer's text) written straight into `inner`: the names' parts from
    // bytes made once, a plain ASCII value (most are) a byte a character in a loop, and only another value
    // encoded as UTF-8 after JSON's escapes. Built as one string, one Indic name made all of it two bytes a
    // character, and then building and encoding it cost more than hashing it (measured).
    const values = customerFieldValues(params, scratch);
    let at = start;
    let first = true;
    for (const [, index, opening] of SORTED_FIELDS) {
      const value = values[index];
      if (value === undefined || value === '') continue;
      // A UTF-16 unit is at most 6 bytes here (`\uXXXX`, or 3 of UTF-8): when that fits, nothing is cut short.
      if (at + opening.length + value.length * 6 + 8 > inner.length) return { exp, sig: hmacOf(params) };
      if (!first) inner[at++] = COMMA;
      first = false;
      at += opening.copy(inner, at);
      const plain = writePlainAscii(value, inner, at);
      at = plain >= 0 ? plain : at + inner.write(jsonString(value), at, 'utf8');
      inner[at++] = CLOSE;
    }
    inner[at++] = CLOSE;
    inner[at++] = CLOSE;
    // The inner digest as a 'binary' (latin1: one character a byte) string written into place: a digest as a
    // Buffer is a new ArrayBuffer each row, which cost more than the hashing of a short string.
    outer.write(hash('sha256', inner.subarray(0, at), 'binary'), BLOCK, 'binary');
    return { exp, sig: hash('sha256', outer, 'base64url') };
  };
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'repeated' | 'expired' | 'bad_signature' };

/**
 * Every name=value pair of a request, in order and with repeats (URLSearchParams, or the query and form
 * together); names that are neither customer fields nor exp/sig (CallSid, CustomField, …) are not signed.
 */
export function verifySignedEntries(entries: Iterable<Entry>, secret: string, now: Date): SignatureCheck {
  const seen = new Map<string, string>();
  for (const [name, value] of entries) {
    if (!SIGNED_NAMES.has(name)) continue;
    if (seen.has(name)) return { ok: false, reason: 'repeated' };
    seen.set(name, value);
  }
  const exp = seen.get('exp');
  const sig = seen.get('sig');
  if (!exp || !sig) return { ok: false, reason: 'missing' };
  if (!/^[0-9]{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'malformed' };
  const fields = [...seen].filter(([name]) => CUSTOMER_NAMES.has(name));
  // Compare the text, not decoded bytes: base64url decoding ignores the last character's spare bits, so four
  // spellings of the final character would otherwise all pass.
  const expected = Buffer.from(mac(secret, fields, exp).toString('base64url'));
  if (!timingSafeEqual(Buffer.from(sig), expected)) return { ok: false, reason: 'bad_signature' };
  if (Number(exp) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** The same check on a flat map (one value per name), e.g. `Object.fromEntries(url.searchParams)`. */
export function verifyCustomerSignature(params: Params, secret: string, now: Date): SignatureCheck {
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(params)) if (value !== undefined) entries.push([name, value]);
  return verifySignedEntries(entries, secret, now);
}

/** Constant-time comparison of a presented secret (key, token) with the expected one (both hashed: length leaks nothing). */
export function keysMatch(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHmac('sha256', 'exo-passthru-key').update(presented).digest();
  const b = createHmac('sha256', 'exo-passthru-key').update(expected).digest();
  return timingSafeEqual(a, b);
}
