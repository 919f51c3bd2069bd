/**
 * Phone numbers are PII (docs/exotel-protocol.md §9.1 item 9): inspect shows them masked (last 4 digits kept) unless
 * --show-pii. Fields that hold a number by name are masked whatever their shape; anywhere else only a value that
 * is a phone number as a whole is, so dates, amounts and numeric ids stay readable. Pure.
 */
import type { CallSession } from '../domain/call.ts';
import { maskPhone } from '../exotel/phone.ts';
import type { CallEventRow, CallRow, CustomerRow } from '../stores/ports.ts';

/** Exotel parameter names that carry a number (From, To, CallFrom, CallTo, DialWhomNumber, PhoneNumber …). */
const NUMBER_KEY = /from|^to$|callto|number|phone|caller/i;
/** Ids are never masked, even all-digit ones: they are how the user finds the call. */
const ID_KEY = /(sid|id)$/i;
const WHOLE_PHONE = /^\+?[0-9][0-9 -]{8,15}[0-9]$/;

/** Mask every digit but the last four, keeping the layout (`+91******3210`, `0804***2233`). */
export function maskNumber(value: string): string {
  const masked = maskPhone(value);
  if (masked !== value) return masked;
  return value.replace(/\d(?=(?:\D*\d){4})/g, '*');
}

function maskByKey(key: string, value: string): string {
  if (ID_KEY.test(key)) return value;
  if (NUMBER_KEY.test(key)) return maskNumber(value);
  // CustomField carries the customer record as JSON or k=v|k=v text, phone included.
  if (key === 'CustomField') return maskPhone(value);
  return WHOLE_PHONE.test(value.trim()) ? maskPhone(value) : value;
}

function maskDeep(key: string, value: unknown): unknown {
  if (typeof value === 'string') return maskByKey(key, value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(key, item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(k, v)]));
  }
  return value;
}

const maybe = (value: string | undefined | null) => (value === undefined || value === null ? value : maskNumber(value));

export function maskSession(session: CallSession, showPii: boolean): CallSession {
  if (showPii) return session;
  const out: CallSession = { ...session };
  if (session.from !== undefined) out.from = maskNumber(session.from);
  if (session.to !== undefined) out.to = maskNumber(session.to);
  if (session.customer?.phone !== undefined)
    out.customer = { ...session.customer, phone: maskNumber(session.customer.phone) };
  return out;
}

/** A request's parameters (Exotel's and the customer's), each masked by its name as the call row's are. */
export function maskParams(params: Readonly<Record<string, string>>, showPii: boolean): Record<string, string> {
  if (showPii) return { ...params };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, maskByKey(k, v)]));
}

export function maskCall(call: CallRow, showPii: boolean): CallRow {
  if (showPii) return call;
  return {
    ...call,
    agent_number: maybe(call.agent_number) ?? null,
    exotel_params: maskParams(call.exotel_params, false),
  };
}

export function maskCustomer(customer: CustomerRow, showPii: boolean): CustomerRow {
  return showPii ? customer : { ...customer, phone: maybe(customer.phone) ?? null };
}

export function maskEvent(event: CallEventRow, showPii: boolean): CallEventRow {
  return showPii ? event : { ...event, detail: maskDeep('detail', event.detail) as Record<string, unknown> };
}
