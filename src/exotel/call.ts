/**
 * Exotel call parameters (docs/exotel-protocol.md §1.2, which lists the eight CallStatus values): CallSid shape
 * and IST wall-clock timestamps `YYYY-MM-DD HH:mm:ss`.
 */
import { randomBytes } from 'node:crypto';

const EXOTEL_END_TIME = '1970-01-01 05:30:00';

/** 32 lowercase alphanumerics, like `0317ed76e4b2958db08562366aef19ap`. */
export function createCallSid(random: (size: number) => Buffer = randomBytes): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  const bytes = random(32);
  let sid = '';
  for (let i = 0; i < 32; i += 1) sid += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return sid;
}

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

/** `Tue, 16 Feb 2016 15:56:26` in IST: the 2016 capture's `Created` (§1.2). */
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
  /** The 2016 shape: flow_id, tenant_id, ForwardedFrom, RFC-style Created, zero EndTime, CallTo without 0. */
  legacy?: boolean;
};

/** The call-detail parameters of a Passthru hit, in Exotel's order (§10.2 item 1; §1.2's 2016 capture for `legacy`). */
export function passthruCallParams(options: CallDetailOptions): Record<string, string> {
  const { from, to, legacy } = options;
  return {
    CallSid: options.callSid,
    CallFrom: from,
    // The capture's CallTo has no leading 0 while its To has one.
    CallTo: legacy ? to.replace(/^0/, '') : to,
    CallStatus: 'in-progress',
    Direction: 'outbound-dial',
    ...(legacy ? { ForwardedFrom: '' } : {}),
    Created: legacy ? formatIstLegacy(options.startedAt) : formatIst(options.startedAt),
    DialCallDuration: '0',
    StartTime: formatIst(options.startedAt),
    EndTime: legacy ? '0000-00-00 00:00:00' : EXOTEL_END_TIME,
    CallType: 'call-attempt',
    DialWhomNumber: '',
    ...(legacy ? { flow_id: '68135', tenant_id: '39' } : {}),
    From: from,
    To: to,
    CurrentTime: formatIst(options.now),
  };
}
