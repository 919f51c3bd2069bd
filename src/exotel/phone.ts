/**
 * Indian phone numbers: Exotel sends national `0XXXXXXXXXX` in older flows and E.164 `+91…` in newer ones
 * (exotel-protocol.md §1.2), sometimes without the leading 0 (`CallTo=8039513882`).
 */

/** A 10-digit mobile starting 6–9, or with 0 / 91 / +91 prefixes, spaces and dashes → `+91XXXXXXXXXX`. */
export function normalizeMobileIN(input: string | undefined | null): string | undefined {
  if (!input) return undefined;
  const compact = input.trim().replace(/[\s\-().]/g, '');
  const match = /^(?:\+91|0091|91|0)?([6-9][0-9]{9})$/.exec(compact);
  return match ? `+91${match[1]}` : undefined;
}

/** Any Indian number Exotel may send (mobile or landline with STD code) → E.164, else undefined. */
export function normalizePhoneIN(input: string | undefined | null): string | undefined {
  const mobile = normalizeMobileIN(input);
  if (mobile) return mobile;
  if (!input) return undefined;
  const compact = input.trim().replace(/[\s\-().]/g, '');
  const match = /^(?:\+91|0091|91|0)?([1-9][0-9]{9})$/.exec(compact);
  return match ? `+91${match[1]}` : undefined;
}

/** `+919876543210` → `09876543210` (Exotel's national form). */
export function toNational(e164: string): string {
  return e164.startsWith('+91') ? `0${e164.slice(3)}` : e164;
}

/** Keep the last 4 digits: `+919876543210` → `+91******3210`. Non-numbers pass through unchanged. */
export function maskPhone(value: string): string {
  return value.replace(/(\+?\d[\d\s-]{5,}\d)/g, (number) => {
    const digits = number.replace(/\D/g, '');
    if (digits.length < 8) return number;
    const prefix = number.startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 1) === '0' ? '0' : '';
    const keep = digits.slice(-4);
    const hidden = digits.length - keep.length - prefix.replace('+', '').length;
    return `${prefix}${'*'.repeat(Math.max(hidden, 0))}${keep}`;
  });
}

/** The phone-number pattern ExoML accepts in `callerId` and `<Number>` (exotel-protocol.md §10.5). */
export const EXOML_PHONE_PATTERN = /^(?:\+?[0-9]{10,15}|0[0-9]{10})$/;
