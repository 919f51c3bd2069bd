/**
 * Signed passthru URLs (`url --sign`): `exp` (unix seconds) and `sig` = HMAC-SHA256(secret, canonical string)
 * over the customer parameters, so nobody can edit the amount or the customer in a URL. The canonical string is
 * the customer fields present (CUSTOMER_FIELDS order) as `name=value` lines, then `exp=<exp>`.
 * Exotel itself signs nothing (docs/exotel-protocol.md §7): this protects the URLs we hand out.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CUSTOMER_FIELDS } from './customer.ts';

type Params = Readonly<Record<string, string | undefined>>;

function canonical(params: Params, exp: string): string {
  const lines: string[] = [];
  for (const field of CUSTOMER_FIELDS) {
    const value = params[field];
    if (value !== undefined && value !== '') lines.push(`${field}=${value}`);
  }
  lines.push(`exp=${exp}`);
  return lines.join('\n');
}

export function signCustomerParams(params: Params, secret: string, expiresAt: Date): { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const sig = createHmac('sha256', secret).update(canonical(params, exp)).digest('base64url');
  return { exp, sig };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'bad_signature' };

export function verifyCustomerSignature(params: Params, secret: string, now: Date): SignatureCheck {
  const exp = params.exp;
  const sig = params.sig;
  if (!exp || !sig) return { ok: false, reason: 'missing' };
  if (!/^[0-9]{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(canonical(params, exp)).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  if (Number(exp) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** Constant-time comparison of a presented secret (key, token) with the expected one (both hashed: length leaks nothing). */
export function keysMatch(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHmac('sha256', 'exo-passthru-key').update(presented).digest();
  const b = createHmac('sha256', 'exo-passthru-key').update(expected).digest();
  return timingSafeEqual(a, b);
}
