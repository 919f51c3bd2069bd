/**
 * Exotel call parameters (exotel-protocol.md §1.2): CallSid shape, the eight documented CallStatus values,
 * and IST wall-clock timestamps `YYYY-MM-DD HH:mm:ss`.
 */
import { randomBytes } from 'node:crypto';

export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const EXOTEL_END_TIME = '1970-01-01 05:30:00';

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
