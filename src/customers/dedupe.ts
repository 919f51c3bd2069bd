/**
 * Duplicate detection for `url --csv`: the later row with an already-accepted phone or customer_id is rejected.
 *
 * Memory is O(unique accepted rows), unavoidably (we must remember what we saw), but kept small: a JS
 * `Set<string>` of 1,000,000 ids costs ~150 MB of heap, which alone would break the 150 MB peak-RSS budget of `url --csv`.
 * Instead, open addressing over typed arrays, exact (no hashing shortcuts that could reject a row wrongly):
 * - ids: their UTF-8 bytes in one growing arena, the table holds arena offsets (~4-8 bytes a slot + the bytes);
 * - phones: a validated Indian mobile is 6000000000-9999999999, which minus 6e9 fits a uint32 (4-8 bytes each).
 * Pure.
 */

export type CompactSet<K> = {
  has: (key: K) => boolean;
  /** True when the key was not there before. */
  add: (key: K) => boolean;
  /**
   * has + add in one probe, for a caller that decides in between: the slot of the key, negative (`~slot`) when
   * the key is there already. `insert(slot)` then adds the key just located, if nothing else touched the set since.
   */
  locate: (key: K) => number;
  insert: (slot: number) => void;
  readonly size: number;
  /** Bytes held in typed arrays (what the set costs, for the benchmark). */
  readonly byteLength: number;
};

/**
 * Called after a table grew, with the bytes of the table it replaced: garbage now, which V8 frees only at its
 * next full collection (it counts such memory loosely), so a caller that can may collect then.
 */
type OnGrow = (replacedBytes: number) => void;

const encoder = new TextEncoder();
/** The arena's bytes at most (slots hold offset + 1 in 32 bits), and the steps it grows by. */
const ARENA_MAX = 2 ** 32 - 2;
const ARENA_STEP = 1024 * 1024;
const MAX_KEY_BYTES = 0xffff;
/** Grow at 3/4 full: linear probing stays short. */
const grows = (size: number, slots: number) => size * 4 > slots * 3;
// Tables grow by half, not double: they hold at most 1.5× what they need (doubling left up to
// half of a table unused), and the copy while growing holds 2.5× instead of 3×. At a million rows the sets take
// 25 MB instead of 34 MB. So table sizes are not powers of two: a slot is found by remainder, not a mask.
const larger = (n: number) => n + (n >>> 1);
/** The slot a probe for `hash` starts at (31 bits: an int32 remainder is far cheaper than a float one). */
const home = (hash: number, size: number) => (hash & 0x7fffffff) % size;
const after = (slot: number, size: number) => (slot + 1 === size ? 0 : slot + 1);

/** The murmur3 finaliser: spreads a 32-bit value so the low bits (the table index) are well mixed. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] ?? 0), FNV_PRIME);
  return mix(h);
}

/**
 * Exact set of strings: keys as `[2-byte length][UTF-8 bytes]` records in an arena, slots hold offset + 1.
 * Beside each slot, 8 bits of its key's hash (the bits the slot index does not use): a probe compares keys only
 * when those match, instead of reading the arena (a cache miss) for every occupied slot it passes.
 */
export function createCompactStringSet(onGrow?: OnGrow): CompactSet<string> {
  let slots = new Uint32Array(1024);
  let tags = new Uint8Array(1024);
  // The hash (stage) and tag (locate) of the key the last locate staged.
  let stagedHash = 0;
  let stagedTag = 0;
  // The arena grows in place: a resizable ArrayBuffer reserves address space (ARENA_MAX) and the system commits
  // pages only as they are written, so growing copies nothing and leaves no old arena for the collector to free
  // late (copying into one 1.5 times larger held up to 2.5 times the keys' bytes at once). `arena` tracks its length.
  const memory = new ArrayBuffer(ARENA_STEP, { maxByteLength: ARENA_MAX });
  const arena = new Uint8Array(memory);
  let tail = 0;
  let size = 0;
  const lengthAt = (offset: number) => ((arena[offset] ?? 0) << 8) | (arena[offset + 1] ?? 0);

  /** Encode the key as a candidate record at the tail, not yet committed; returns its byte length. */
  const stage = (key: string): number => {
    const need = tail + key.length * 3 + 2;
    if (need > arena.length) {
      if (need > ARENA_MAX) throw new RangeError(`more than ${ARENA_MAX} bytes of keys`);
      memory.resize(Math.min(ARENA_MAX, Math.ceil(need / ARENA_STEP) * ARENA_STEP));
    }
    // ASCII (ids usually are) is copied as it is, without the view encodeInto needs (no allocation per row), and
    // hashed on the way: the same FNV-1a as over its bytes, since an ASCII character is its own byte.
    let written = 0;
    const at = tail + 2;
    let hash = FNV_OFFSET;
    for (; written < key.length; written++) {
      const code = key.charCodeAt(written);
      if (code >= 0x80) break;
      arena[at + written] = code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    if (written < key.length) {
      written = encoder.encodeInto(key, arena.subarray(at)).written;
      stagedHash = fnv1a(arena, at, at + written);
    } else stagedHash = mix(hash);
    if (written > MAX_KEY_BYTES) throw new RangeError(`key longer than ${MAX_KEY_BYTES} bytes`);
    arena[tail] = written >>> 8;
    arena[tail + 1] = written & 0xff;
    return written;
  };

  const equalsStaged = (offset: number, length: number): boolean => {
    if (lengthAt(offset) !== length) return false;
    for (let i = 2; i < length + 2; i++) if (arena[offset + i] !== arena[tail + i]) return false;
    return true;
  };

  /** Slot holding the staged key, or the empty slot where it would go. */
  const probe = (hash: number, length: number): number => {
    const tag = hash >>> 24;
    for (let slot = home(hash, slots.length); ; slot = after(slot, slots.length)) {
      const stored = slots[slot] ?? 0;
      if (stored === 0 || (tags[slot] === tag && equalsStaged(stored - 1, length))) return slot;
    }
  };

  const grow = () => {
    const next = new Uint32Array(larger(slots.length));
    const nextTags = new Uint8Array(next.length);
    // Every key is a record in the arena before `tail`: read front to back, in one pass over memory in order. In
    // the table's order, each key was a read somewhere else in the arena (a cache miss a key): measured, growing
    // took 270 ms of a million rows that way.
    for (let offset = 0; offset < tail; ) {
      const length = lengthAt(offset);
      const hash = fnv1a(arena, offset + 2, offset + 2 + length);
      let slot = home(hash, next.length);
      while ((next[slot] ?? 0) !== 0) slot = after(slot, next.length);
      next[slot] = offset + 1;
      nextTags[slot] = hash >>> 24;
      offset += 2 + length;
    }
    const freed = slots.byteLength + tags.byteLength;
    slots = next;
    tags = nextTags;
    onGrow?.(freed);
  };

  /** The staged key's slot, `~slot` when it is there already (the staged record stays at the tail). */
  const locate = (key: string): number => {
    const length = stage(key);
    const hash = stagedHash;
    stagedTag = hash >>> 24;
    const slot = probe(hash, length);
    return (slots[slot] ?? 0) !== 0 ? ~slot : slot;
  };

  /** Commit the record staged by the last locate into its empty slot. */
  const insert = (slot: number) => {
    slots[slot] = tail + 1;
    tags[slot] = stagedTag;
    tail += 2 + lengthAt(tail);
    size += 1;
    if (grows(size, slots.length)) grow();
  };

  return {
    has: (key) => locate(key) < 0,
    add: (key) => {
      const slot = locate(key);
      if (slot < 0) return false;
      insert(slot);
      return true;
    },
    locate,
    insert,
    get size() {
      return size;
    },
    get byteLength() {
      return arena.byteLength + slots.byteLength + tags.byteLength;
    },
  };
}

const PHONE_BASE = 6_000_000_000;

/** Exact set of `+91[6-9]XXXXXXXXX` numbers, each stored as (number − 6e9 + 1) in a uint32 slot (0 = empty). */
export function createPhoneSet(onGrow?: OnGrow): CompactSet<string> {
  let slots = new Uint32Array(1024);
  let size = 0;
  /** `+91[6-9]XXXXXXXXX` → its slot value, read digit by digit (no match array per row). */
  const encode = (phone: string): number => {
    let number = 0;
    let valid = phone.length === 13 && phone.startsWith('+91') && phone.charCodeAt(3) >= 0x36;
    for (let i = 3; valid && i < 13; i++) {
      const digit = phone.charCodeAt(i) - 0x30;
      valid = digit >= 0 && digit <= 9;
      number = number * 10 + digit;
    }
    if (!valid) throw new RangeError(`not a normalised Indian mobile: ${phone}`);
    return number - PHONE_BASE + 1;
  };
  const probe = (value: number, table: Uint32Array): number => {
    for (let slot = home(mix(value), table.length); ; slot = after(slot, table.length)) {
      const stored = table[slot] ?? 0;
      if (stored === 0 || stored === value) return slot;
    }
  };
  // The value the last locate encoded, for insert.
  let located = 0;
  const locate = (phone: string): number => {
    located = encode(phone);
    const slot = probe(located, slots);
    return (slots[slot] ?? 0) !== 0 ? ~slot : slot;
  };
  const insert = (slot: number) => {
    slots[slot] = located;
    size += 1;
    if (grows(size, slots.length)) {
      const next = new Uint32Array(larger(slots.length));
      for (const stored of slots) if (stored !== 0) next[probe(stored, next)] = stored;
      const freed = slots.byteLength;
      slots = next;
      onGrow?.(freed);
    }
  };
  return {
    has: (phone) => locate(phone) < 0,
    add: (phone) => {
      const slot = locate(phone);
      if (slot < 0) return false;
      insert(slot);
      return true;
    },
    locate,
    insert,
    get size() {
      return size;
    },
    get byteLength() {
      return slots.byteLength;
    },
  };
}

type DuplicateCheck = { duplicate: 'duplicate_customer_id' | 'duplicate_phone'; message: string } | undefined;

export type Deduper = {
  /** Check a row and, when it is new on both keys, remember it. */
  claim: (customerId: string, phone: string) => DuplicateCheck;
  readonly byteLength: number;
};

/** Keys are the normalised customer_id (exact) and the E.164 phone; the first accepted row keeps them. */
export function createDeduper(onGrow?: OnGrow): Deduper {
  const ids = createCompactStringSet(onGrow);
  const phones = createPhoneSet(onGrow);
  return {
    // One probe per key: each set remembers the key it located until the row is known to be new on both.
    claim: (customerId, phone) => {
      const idSlot = ids.locate(customerId);
      if (idSlot < 0)
        return {
          duplicate: 'duplicate_customer_id',
          message: `customer_id ${JSON.stringify(customerId)} already appeared in an accepted row`,
        };
      const phoneSlot = phones.locate(phone);
      if (phoneSlot < 0)
        return { duplicate: 'duplicate_phone', message: `phone ${phone} already appeared in an accepted row` };
      ids.insert(idSlot);
      phones.insert(phoneSlot);
      return undefined;
    },
    get byteLength() {
      return ids.byteLength + phones.byteLength;
    },
  };
}
