/**
 * Exotel call parameters (docs/exotel-protocol.md §1.2, which lists the eight CallStatus values): CallSid shape
 * and IST wall-clock timestamps `YYYY-MM-DD HH:mm:ss`.
 */
import { randomBytes } from 'node:crypto';

const EXOTEL_END_TIME = '1970-01-01 05:30:00';

const HEX = '0123456789abcdef';
const LAST = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * 31 hex digits and one last character from `[0-9a-z]`, like `23c162077629863c1a2d7f29263a162m`: real CallSids
 * are hex but for the last character, which recent ones take from the whole alphabet (§1.2).
 */
export function createCallSid(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(32);
  let sid = '';
  for (let i = 0; i < 31; i += 1) sid += HEX[(bytes[i] ?? 0) % HEX.length];
  return sid + LAST[(bytes[31] ?? 0) % LAST.length];
}

/** What a CallSid Exotel made looks like (createCallSid's shape). */
export const EXOTEL_CALL_SID = /^[0-9a-f]{31}[0-9a-z]$/;

/** A CallSid-like id safe to use as a key: letters, digits, `_`, `-`, 1–64 characters. */
export function isUsableCallSid(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

const IST_OFFSET_MS = 330 * 60 * 1000;

/** `2025-08-11 14:05:09` in India Standard Time. */
export function formatIst(date: Date): string {
  return new Date(date.getTime() + IST_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue, 16 Feb 2016 15:56:26` in IST: `Created` as every dated capture from 2016 to 2025 has it (§1.2). */
export function formatIstLegacy(date: Date): string {
  const ist = new Date(date.getTime() + IST_OFFSET_MS);
  const day = String(ist.getUTCDate()).padStart(2, '0');
  const time = ist.toISOString().slice(11, 19);
  return `${WEEKDAYS[ist.getUTCDay()]}, ${day} ${MONTHS[ist.getUTCMonth()]} ${ist.getUTCFullYear()} ${time}`;
}

export type CallDetailOptions = {
  callSid: string;
  /** The customer's number and the ExoPhone, already in the format to send (`0…` or `+91…`). */
  from: string;
  to: string;
  /** When the call started (Created, StartTime) and the time of this request (CurrentTime). */
  startedAt: Date;
  now: Date;
  /** The 2016 shape: ForwardedFrom, CallStatus=ringing, zero EndTime, CallTo without 0. */
  legacy?: boolean;
  /** Who started the call (default `outbound-api`, a call the Calls API started). */
  direction?: CallDirection;
  /** `Created` as the Connect doc writes it (`yyyy-mm-dd hh:mm:ss`) instead of as the captures show it. */
  documentedCreated?: boolean;
};

/**
 * `incoming`: a caller dialled the ExoPhone · `outbound-dial`: a flow dialled out · `outbound-api`: the Calls API
 * started the call. Passthru says `incoming` or `outbound-dial` (§1.2); `outbound-api` appears only in Call Details
 * and StatusCallbacks, so an API-started call reaches the Passthru as `outbound-dial`, with its CustomField.
 */
export const CALL_DIRECTIONS = ['incoming', 'outbound-dial', 'outbound-api'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/**
 * The call-detail parameters of a Passthru hit, in Exotel's order (§10.2 item 1; §1.2's 2016 capture for
 * `legacy`). As in the captures: `Created` in the RFC-like form, `flow_id` and `tenant_id` (2016, 2022, 2024),
 * and no `CallStatus` (absent from 7 of 9 Passthru captures; the 2016 one has `ringing`).
 */
export function passthruCallParams(options: CallDetailOptions): Record<string, string> {
  const { from, to, legacy } = options;
  return {
    CallSid: options.callSid,
    CallFrom: from,
    // The capture's CallTo has no leading 0 while its To has one.
    CallTo: legacy ? to.replace(/^0/, '') : to,
    ...(legacy ? { CallStatus: 'ringing' } : {}),
    Direction: options.direction === 'incoming' ? 'incoming' : 'outbound-dial',
    ...(legacy ? { ForwardedFrom: '' } : {}),
    Created: options.documentedCreated ? formatIst(options.startedAt) : formatIstLegacy(options.startedAt),
    DialCallDuration: '0',
    StartTime: formatIst(options.startedAt),
    EndTime: legacy ? '0000-00-00 00:00:00' : EXOTEL_END_TIME,
    CallType: 'call-attempt',
    DialWhomNumber: '',
    flow_id: '68135',
    tenant_id: '39',
    From: from,
    To: to,
    CurrentTime: formatIst(options.now),
  };
}
