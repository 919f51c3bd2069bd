/**
 * Indian phone numbers: Exotel sends national `0XXXXXXXXXX` in older flows and E.164 `+91…` in newer ones
 * (docs/exotel-protocol.md §1.2), sometimes without the leading 0 (`CallTo=8039513882`).
 */

/**
 * What spreadsheets do to a number: a leading `'` (Excel's "keep as text", and the formula guard our own rejects
 * file writes) and a trailing `.0` (a number cell exported as a float).
 */
function compactPhone(input: string): string {
  return input
    .trim()
    .replace(/^'/, '')
    .replace(/\.0+$/, '')
    .replace(/[\s\-().]/g, '');
}

const MOBILE = /^(?:\+91|0091|91|0)?([6-9][0-9]{9})$/;

/** A 10-digit mobile starting 6–9, or with 0 / 91 / +91 prefixes, spaces and dashes → `+91XXXXXXXXXX`. */
export function normalizeMobileIN(input: string | undefined | null): string | undefined {
  if (!input) return undefined;
  // A number already in one of the plain forms is its own compact form: no replaces needed (url --csv, per row).
  const match = MOBILE.exec(input) ?? MOBILE.exec(compactPhone(input));
  return match ? `+91${match[1]}` : undefined;
}

/** Any Indian number Exotel may send (mobile or landline with STD code) → E.164, else undefined. */
export function normalizePhoneIN(input: string | undefined | null): string | undefined {
  const mobile = normalizeMobileIN(input);
  if (mobile) return mobile;
  if (!input) return undefined;
  const compact = compactPhone(input);
  const match = /^(?:\+91|0091|91|0)?([1-9][0-9]{9})$/.exec(compact);
  return match ? `+91${match[1]}` : undefined;
}

/** `+919876543210` → `09876543210` (Exotel's national form). */
export function toNational(e164: string): string {
  return e164.startsWith('+91') ? `0${e164.slice(3)}` : e164;
}

/**
 * Mask phone-shaped tokens (10–13 digits, optional +, spaces or dashes inside, not glued to letters) keeping
 * the last 4 digits: `+919876543210` → `+91******3210`. Ids such as CallSids are left alone.
 */
export function maskPhone(value: string): string {
  return value.replace(/(?<![\w+])\+?\d[\d -]{8,16}\d(?![\w])/g, (token) => {
    const digits = token.replace(/\D/g, '');
    if (digits.length < 10 || digits.length > 13) return token;
    const keep = digits.slice(-4);
    const prefix = token.startsWith('+') ? `+${digits.slice(0, digits.length - 10)}` : '';
    return `${prefix}${'*'.repeat(10 - 4)}${keep}`;
  });
}
