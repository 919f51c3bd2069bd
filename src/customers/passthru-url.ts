/**
 * Per-customer passthru URLs (simulator/dev shape, docs/exotel-protocol.md §10.3): absolute, every value
 * encodeURIComponent-encoded (`%20`, never `+`, so Devanagari and Tamil names survive any decoder), then either
 * `key=<WEBHOOK_KEY>` or, signed, `exp` + `sig` from signCustomerParams (and no key). Pure.
 */
import { UsageError } from '../errors.ts';
import { CUSTOMER_FIELDS, type CustomerInput, customerFieldValues } from '../exotel/customer.ts';
import { createCustomerSigner } from '../exotel/signing.ts';

export const DEFAULT_BASE_URL = 'http://localhost:8000';
const PASSTHRU_PATH = '/passthru-handler';
/** Exotel's applet URL field and many proxies stop around here. */
export const URL_WARN_LENGTH = 2000;
/** §10.3: warn when the encoded CustomField exceeds about 1 KB. */
export const CUSTOM_FIELD_WARN_BYTES = 1024;

export type UrlAuth =
  | { kind: 'none' }
  | { kind: 'key'; key: string }
  | { kind: 'signed'; secret: string; expiresAt: Date };

/**
 * `local`: the host is this machine (localhost, 127.0.0.0/8, ::1). Such URLs only ever reach the simulator, so the
 * advice meant for URLs Exotel would call (https, no PII in query strings) does not apply to them.
 */
export type BaseUrl = { base: string; warning: string | undefined; local: boolean };

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Absolute http(s) URL without query or fragment. http is allowed: on this machine (the simulator) silently, on
 * any other host with a warning, since Exotel only calls https.
 */
export function resolveBaseUrl(raw: string, source: string): BaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`${source} must be an absolute URL, got ${JSON.stringify(raw)}`, { setting: 'baseUrl' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`${source} must use https (or http for a local simulator), got "${parsed.protocol}"`);
  }
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new UsageError(`${source} must be a plain origin and path, without query, fragment or credentials`);
  }
  const base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  const local = isLoopbackHost(parsed.hostname);
  const warning =
    parsed.protocol === 'http:' && !local
      ? `${source} ${base} is not https: Exotel must call your bot over https (§10.3)`
      : undefined;
  return { base, warning, local };
}

// What encodeURIComponent leaves as it is: a value of only these is its own encoding (ids, amounts, dates, codes).
const URI_UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

// customerQuery's scratch (customerFieldValues): it returns before anything else can use it.
const queryValues: Array<string | undefined> = [];

/** The customer fields present, in CUSTOMER_FIELDS order, as `k=v` with both sides encodeURIComponent-encoded. */
export function customerQuery(customer: Readonly<CustomerInput>): string {
  let query = '';
  const values = customerFieldValues(customer, queryValues);
  for (let i = 0; i < CUSTOMER_FIELDS.length; i++) {
    const value = values[i];
    if (value === undefined || value === '') continue;
    const field = CUSTOMER_FIELDS[i] as string;
    // Field names are unreserved already; the regex test is far cheaper than encodeURIComponent's runtime call.
    const encoded = URI_UNRESERVED.test(value) ? value : encodeURIComponent(value);
    query += `${query === '' ? '' : '&'}${field}=${encoded}`;
  }
  return query;
}

/** buildPassthruUrl with `base` and `auth` fixed, for many customers: the prefix, key and signer are made once. */
export function createPassthruUrlBuilder(base: string, auth: UrlAuth): (customer: Readonly<CustomerInput>) => string {
  const prefix = `${base}${PASSTHRU_PATH}?`;
  if (auth.kind === 'key') {
    const key = `&key=${encodeURIComponent(auth.key)}`;
    return (customer) => `${prefix}${customerQuery(customer)}${key}`;
  }
  if (auth.kind === 'signed') {
    const sign = createCustomerSigner(auth.secret, auth.expiresAt);
    return (customer) => {
      const { exp, sig } = sign(customer);
      return `${prefix}${customerQuery(customer)}&exp=${exp}&sig=${sig}`;
    };
  }
  return (customer) => `${prefix}${customerQuery(customer)}`;
}

export function buildPassthruUrl(base: string, customer: Readonly<CustomerInput>, auth: UrlAuth): string {
  return createPassthruUrlBuilder(base, auth)(customer);
}
