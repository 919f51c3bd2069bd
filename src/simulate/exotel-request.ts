/**
 * The requests Exotel sends, built exactly (docs/exotel-protocol.md §1.2, §10.2): the first Passthru hit with the call
 * details, the user's own query string kept, and the shorter parameter sets of ExoML actions (§5.2). Pure.
 */
import { passthruCallParams, type CallDirection } from '../exotel/call.ts';
import { encodeCustomField } from '../exotel/custom-field.ts';
import { CUSTOMER_FIELDS, pickCustomerInput, type CustomerInput } from '../exotel/customer.ts';
import { toNational } from '../exotel/phone.ts';
import type { HttpMethod, SimRequest } from './types.ts';

export type FirstRequestOptions = {
  /** The passthru URL as configured; its query string is kept and Exotel's parameters are appended. */
  url: string;
  method?: HttpMethod;
  callSid: string;
  /** Customer fields sent as query parameters and, JSON-encoded, as CustomField. */
  customer: CustomerInput;
  /** The customer's number and the ExoPhone, E.164 (`+91…`). */
  phone: string;
  exophone: string;
  /** Send `+91…` instead of Exotel's national `0…`. */
  e164?: boolean;
  /** The 2016 shape: ForwardedFrom, CallStatus=ringing, zero EndTime, CallTo without 0. */
  legacy?: boolean;
  /** Who started the call (default `outbound-api`); only API-started calls carry a CustomField. */
  direction?: CallDirection;
  /** `Created` as `yyyy-mm-dd hh:mm:ss` (the Connect doc) instead of `Wed, 23 Feb 2022 12:31:59` (the captures). */
  documentedCreated?: boolean;
  /** `--param k=v`: set (or add) any parameter, replacing one of the same name in the URL's own query too. */
  overrides?: ReadonlyArray<readonly [string, string]>;
  /** WEBHOOK_KEY, sent as the URL's own `key=` parameter (unless the URL has one or is signed). */
  key?: string;
  /**
   * The URL carries its own customer fields or a signature (`url` wrote it): it is sent as it is, with no customer
   * parameters appended (extra ones would change the customer, or break the signature).
   */
  urlCarriesCustomer?: boolean;
  /** When the call started (Created, StartTime) and the time of this request (CurrentTime). */
  startedAt: Date;
  now: Date;
};

function formatPhone(e164: string, asE164: boolean | undefined): string {
  return asE164 ? e164 : toNational(e164);
}

/** The first Passthru hit: the call details (exotel/call.ts), then CustomField and the customer fields. */
function passthruParams(options: FirstRequestOptions): Record<string, string> {
  const params = passthruCallParams({
    callSid: options.callSid,
    from: formatPhone(options.phone, options.e164),
    to: formatPhone(options.exophone, options.e164),
    startedAt: options.startedAt,
    now: options.now,
    ...(options.legacy ? { legacy: true } : {}),
    ...(options.direction ? { direction: options.direction } : {}),
    ...(options.documentedCreated ? { documentedCreated: true } : {}),
  });
  // Exotel echoes a CustomField only on calls the Calls API started with one (§1.2).
  if (options.urlCarriesCustomer) return params;
  const customField = encodeCustomField(options.customer);
  if (customField !== '{}' && (options.direction ?? 'outbound-api') === 'outbound-api') params.CustomField = customField;
  for (const field of CUSTOMER_FIELDS) {
    const value = options.customer[field];
    if (value !== undefined && value !== '') params[field] = value;
  }
  return params;
}

/** What the URL's own query says about the customer: its customer fields, and whether it is signed (`url --sign`). */
export function urlCustomer(url: string): { fields: CustomerInput; signed: boolean } {
  const query = new URL(url).searchParams;
  return { fields: pickCustomerInput(Object.fromEntries(query)), signed: query.has('sig') || query.has('exp') };
}

export function buildFirstRequest(options: FirstRequestOptions): SimRequest {
  const url = new URL(options.url);
  const own = urlCustomer(options.url);
  let touched = false;
  // A signed URL or one with its own key goes out byte for byte: re-serialising would re-encode its values.
  if (options.key !== undefined && !own.signed && !url.searchParams.has('key')) {
    url.searchParams.set('key', options.key);
    touched = true;
  }
  const params = passthruParams(options);
  for (const [name, value] of options.overrides ?? []) {
    if (url.searchParams.has(name)) {
      url.searchParams.delete(name);
      touched = true;
    }
    params[name] = value;
  }
  return { method: options.method ?? 'GET', url: touched ? url.toString() : options.url, params };
}

/** What ExoML actions carry (§5.2): the call, not the whole Passthru set. */
export function actionParams(first: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['CallSid', 'CallFrom', 'CallTo'] as const) {
    const value = first[name];
    if (value !== undefined) out[name] = value;
  }
  // The call is live while ExoML runs; the Passthru itself often carries no CallStatus.
  out.CallStatus = first.CallStatus === undefined || first.CallStatus === 'ringing' ? 'in-progress' : first.CallStatus;
  return out;
}

/** `a=1&b=%22x%22`: encodeURIComponent for every name and value (`%20`, never `+`). */
export function encodeParams(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The URL and body on the wire: GET appends the parameters to the URL's own query, POST sends a form. */
export function toWire(request: SimRequest): { url: string; body: string | undefined } {
  const encoded = encodeParams(request.params);
  if (request.method === 'POST') return { url: request.url, body: encoded };
  if (encoded === '') return { url: request.url, body: undefined };
  const url = new URL(request.url);
  const hash = url.hash;
  url.hash = '';
  const base = url.toString();
  const joiner = url.search === '' ? (base.endsWith('?') ? '' : '?') : '&';
  return { url: `${base}${joiner}${encoded}${hash}`, body: undefined };
}
