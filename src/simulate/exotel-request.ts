/**
 * The requests Exotel sends, built exactly (exotel-protocol.md §1.2, §10.2): the first Passthru hit with the call
 * details, the user's own query string kept, and the shorter parameter sets of ExoML actions (§5.2). Pure.
 */
import { EXOTEL_END_TIME, formatIst } from '../exotel/call.ts';
import { encodeCustomField } from '../exotel/custom-field.ts';
import { CUSTOMER_FIELDS, type CustomerInput } from '../exotel/customer.ts';
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
  /** The 2016 shape: flow_id, tenant_id, ForwardedFrom, RFC-style Created, zero EndTime, CallTo without 0. */
  legacy?: boolean;
  /** `--param k=v`: set (or add) any parameter, replacing one of the same name in the URL's own query too. */
  overrides?: ReadonlyArray<readonly [string, string]>;
  /** WEBHOOK_KEY, sent as the URL's own `key=` parameter. */
  key?: string;
  /** When the call started (Created, StartTime) and the time of this request (CurrentTime). */
  startedAt: Date;
  now: Date;
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IST_OFFSET_MS = 330 * 60 * 1000;

/** `Tue, 16 Feb 2016 15:56:26` in IST: the 2016 capture's `Created` (§1.2). */
export function formatIstLegacy(date: Date): string {
  const ist = new Date(date.getTime() + IST_OFFSET_MS);
  const day = String(ist.getUTCDate()).padStart(2, '0');
  const time = ist.toISOString().slice(11, 19);
  return `${WEEKDAYS[ist.getUTCDay()]}, ${day} ${MONTHS[ist.getUTCMonth()]} ${ist.getUTCFullYear()} ${time}`;
}

export function formatPhone(e164: string, asE164: boolean | undefined): string {
  return asE164 ? e164 : toNational(e164);
}

/** The call-detail parameters in Exotel's order (§10.2.1; §1.2's 2016 capture for `legacy`). */
export function passthruParams(options: FirstRequestOptions): Record<string, string> {
  const from = formatPhone(options.phone, options.e164);
  const to = formatPhone(options.exophone, options.e164);
  const created = options.legacy ? formatIstLegacy(options.startedAt) : formatIst(options.startedAt);
  const params: Record<string, string> = {
    CallSid: options.callSid,
    CallFrom: from,
    // The capture's CallTo has no leading 0 while its To has one.
    CallTo: options.legacy && !options.e164 ? to.replace(/^0/, '') : to,
    CallStatus: 'in-progress',
    Direction: 'outbound-dial',
    ...(options.legacy ? { ForwardedFrom: '' } : {}),
    Created: created,
    DialCallDuration: '0',
    StartTime: formatIst(options.startedAt),
    EndTime: options.legacy ? '0000-00-00 00:00:00' : EXOTEL_END_TIME,
    CallType: 'call-attempt',
    DialWhomNumber: '',
    ...(options.legacy ? { flow_id: '68135', tenant_id: '39' } : {}),
    From: from,
    To: to,
    CurrentTime: formatIst(options.now),
  };
  const customField = encodeCustomField(options.customer);
  if (customField !== '{}') params.CustomField = customField;
  for (const field of CUSTOMER_FIELDS) {
    const value = options.customer[field];
    if (value !== undefined && value !== '') params[field] = value;
  }
  return params;
}

export function buildFirstRequest(options: FirstRequestOptions): SimRequest {
  const url = new URL(options.url);
  if (options.key !== undefined) url.searchParams.set('key', options.key);
  const params = passthruParams(options);
  for (const [name, value] of options.overrides ?? []) {
    url.searchParams.delete(name);
    params[name] = value;
  }
  return { method: options.method ?? 'GET', url: url.toString(), params };
}

/** What ExoML actions carry (§5.2): the call, not the whole Passthru set. */
export function actionParams(first: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['CallSid', 'CallFrom', 'CallTo', 'CallStatus'] as const) {
    const value = first[name];
    if (value !== undefined) out[name] = value;
  }
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
