/**
 * `temp_call_id` links a generated URL/CustomField to the call it becomes (the public bot's `temp_call_…` ids,
 * docs/exotel-protocol.md §9.2). A seeded generator (sfc32 seeded from SHA-256 of the seed) so `--seed` reproduces
 * the same ids for the same input; without `--seed` the CLI passes a random seed. Pure.
 */
import { createHash } from 'node:crypto';

export const TEMP_CALL_ID_PREFIX = 'temp_call_';

export function createTempCallIds(seed: string): () => string {
  const digest = createHash('sha256').update(`exo-passthru temp_call_id\n${seed}`).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  // The 16 hex digits as character codes, made into one flat string by a single fromCharCode: toString(16)
  // and padStart twice a row cost more than everything else here.
  const digit = (nibble: number) => nibble + (nibble < 10 ? 0x30 : 0x57);
  const codes = (n: number, at: number, out: number[]) => {
    for (let i = 7; i >= 0; i--) out[at + 7 - i] = digit((n >>> (i * 4)) & 0xf);
  };
  const out = new Array<number>(16).fill(0);
  return () => {
    codes(next(), 0, out);
    codes(next(), 8, out);
    return `${TEMP_CALL_ID_PREFIX}${String.fromCharCode(...out)}`;
  };
}
