/**
 * What a campaign plays, decided before the first call: the digit mix ("1:40,2:30,none:30" → which keys each
 * call presses), assigned by a seeded shuffle so a rerun with the same seed presses the same keys on the same
 * call numbers, and durations such as `60s`. Pure; errors are data (the CLI names its flags).
 */
import { createHash } from 'node:crypto';

/** One entry of the mix: the keys pressed on the first Gather ('' = no input) and its share in percent. */
export type DigitShare = { label: string; keys: string; weight: number };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const NO_INPUT = 'none';

function parseEntry(entry: string): Parsed<DigitShare> {
  const match = /^([0-9*#]+|none):(\d+(?:\.\d+)?)$/i.exec(entry);
  if (match === null) {
    return { ok: false, message: `"${entry}" is not keys:percent (keys are 0-9, * and #, or "none" for no input)` };
  }
  const label = (match[1] as string).toLowerCase();
  return { ok: true, value: { label, keys: label === NO_INPUT ? '' : label, weight: Number(match[2]) } };
}

/** `1:40,2:30,none:30` → shares; the percentages must add up to 100 so a typo does not skew the run silently. */
export function parseDigitMix(raw: string): Parsed<DigitShare[]> {
  const entries = raw.split(',').map((entry) => entry.replace(/\s+/g, ''));
  const shares: DigitShare[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (!parsed.ok) return parsed;
    if (shares.some((share) => share.label === parsed.value.label))
      return { ok: false, message: `"${parsed.value.label}" appears twice` };
    shares.push(parsed.value);
  }
  const total = shares.reduce((sum, share) => sum + share.weight, 0);
  if (Math.abs(total - 100) > 1e-9) return { ok: false, message: `the percentages add up to ${total}, not 100` };
  return { ok: true, value: shares.filter((share) => share.weight > 0) };
}

/** `500ms`, `60s`, `2m`, `1h` → milliseconds (up to a day: a longer run is surely a typo). */
export function parseDurationText(raw: string): Parsed<number> {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/i.exec(raw.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = match ? Number(match[1]) * unit[(match[2] as string).toLowerCase() as keyof typeof unit] : Number.NaN;
  if (!(ms >= 1 && ms <= 86_400_000))
    return { ok: false, message: `"${raw}" is not a duration such as 60s, 2m or 1h (at most 24h)` };
  return { ok: true, value: Math.round(ms) };
}

/** mulberry32: tiny, fast, and the same sequence on every platform for a given 32-bit seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/**
 * How many of `size` calls get each share: floor of the exact quota, then the leftover calls to the largest
 * remainders (earlier entries win ties), so 200 calls at 50/25/25 are exactly 100/50/50.
 */
export function apportion(shares: readonly DigitShare[], size: number): number[] {
  const exact = shares.map((share) => (share.weight / 100) * size);
  const counts = exact.map(Math.floor);
  let left = size - counts.reduce((sum, n) => sum + n, 0);
  const order = exact
    .map((value, index) => ({ index, rest: value - Math.floor(value) }))
    .sort((a, b) => b.rest - a.rest || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left -= 1;
  }
  return counts;
}

function shuffledBlock(shares: readonly DigitShare[], size: number, random: () => number): DigitShare[] {
  const block = apportion(shares, size).flatMap((count, index) =>
    Array.from({ length: count }, () => shares[index] as DigitShare),
  );
  for (let i = block.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [block[i], block[j]] = [block[j] as DigitShare, block[i] as DigitShare];
  }
  return block;
}

/**
 * Call number → its share. Calls come in blocks of `blockSize` (the whole run when the number of calls is known),
 * each block holding the exact mix in a seeded order, so counts match the percentages and reruns match each other.
 */
export function createDigitPlan(
  shares: readonly DigitShare[],
  seed: string,
  blockSize: number,
): (index: number) => DigitShare {
  if (shares.length === 0 || blockSize < 1)
    throw new Error('createDigitPlan: need at least one share and a block of one call');
  let cached: { block: number; calls: DigitShare[] } | undefined;
  return (index) => {
    const block = Math.floor(index / blockSize);
    if (cached?.block !== block)
      cached = { block, calls: shuffledBlock(shares, blockSize, mulberry32(seedOf(`${seed}:${block}`))) };
    return cached.calls[index % blockSize] as DigitShare;
  };
}
