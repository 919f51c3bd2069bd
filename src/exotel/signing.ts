/**
 * Signed passthru URLs (`url --sign`): `exp` (unix seconds) and `sig` = HMAC-SHA256(secret, canonical string)
 * over the customer parameters, so nobody can edit the amount or the customer in a URL. The canonical string is
 * the customer fields present (CUSTOMER_FIELDS order) as `name=value` lines, then `exp=<exp>`.
 * Exotel itself signs nothing (docs/exotel-protocol.md §7): this protects the URLs we hand out.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { CUSTOMER_FIELDS } from './customer.ts';

type Params = Readonly<Record<string, string | undefined>>;

function canonical(params: Params, exp: string): string {
  let text = '';
  for (const field of CUSTOMER_FIELDS) {
    const value = params[field];
    if (value !== undefined && value !== '') text += `${field}=${value}\n`;
  }
  return `${text}exp=${exp}`;
}

export function signCustomerParams(params: Params, secret: string, expiresAt: Date): { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const sig = createHmac('sha256', secret).update(canonical(params, exp)).digest('base64url');
  return { exp, sig };
}

/** SHA-256's block size: an HMAC key is padded (or first hashed) to this many bytes (RFC 2104). */
const BLOCK = 64;
/** Room for a canonical string in the signer's buffer; a longer one is signed with createHmac. */
const ROOM = 16 * 1024;

/**
 * signCustomerParams for many rows with one secret and one expiry: the same `exp` and `sig`, but the HMAC key
 * schedule (RFC 2104: the key padded and XORed with ipad / opad) is computed once instead of once per row, and
 * each row is two one-shot SHA-256 calls over reused buffers.
 */
export function createCustomerSigner(
  secret: string,
  expiresAt: Date,
): (params: Params) => { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const raw = Buffer.from(secret, 'utf8');
  const key = Buffer.alloc(BLOCK);
  (raw.length > BLOCK ? hash('sha256', raw, 'buffer') : raw).copy(key);
  const inner = Buffer.alloc(BLOCK + ROOM);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (key[i] ?? 0) ^ 0x36;
    outer[i] = (key[i] ?? 0) ^ 0x5c;
  }
  return (params) => {
    const text = canonical(params, exp);
    // At most 3 bytes of UTF-8 per UTF-16 unit: when that fits, write() cannot truncate.
    if (text.length * 3 > ROOM) return { exp, sig: createHmac('sha256', secret).update(text).digest('base64url') };
    const length = inner.write(text, BLOCK, 'utf8');
    hash('sha256', inner.subarray(0, BLOCK + length), 'buffer').copy(outer, BLOCK);
    return { exp, sig: hash('sha256', outer, 'base64url') };
  };
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'bad_signature' };

export function verifyCustomerSignature(params: Params, secret: string, now: Date): SignatureCheck {
  const exp = params.exp;
  const sig = params.sig;
  if (!exp || !sig) return { ok: false, reason: 'missing' };
  if (!/^[0-9]{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(canonical(params, exp)).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
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
