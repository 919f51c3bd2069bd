import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCompactStringSet, createDeduper, createPhoneSet } from '../../src/customers/dedupe.ts';

/** Deterministic keys: a mulberry32 stream, so a failure reproduces. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createCompactStringSet', () => {
  it('agrees with a Set<string> on 50,000 mixed-script keys with repeats, across many growths', () => {
    const next = random(6);
    const scripts = ['CUST-', 'रिद्धि-', 'சு-', 'ക്‍ഷ-', '🙂', ''];
    const set = createCompactStringSet();
    const reference = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const key = `${scripts[Math.floor(next() * scripts.length)]}${Math.floor(next() * 30_000)}`;
      assert.equal(set.has(key), reference.has(key), key);
      assert.equal(set.add(key), !reference.has(key), key);
      reference.add(key);
    }
    assert.equal(set.size, reference.size);
    for (const key of reference) assert.ok(set.has(key), key);
    assert.equal(set.has('never-added'), false);
  });

  it('tells apart keys that share bytes or differ only in length', () => {
    const set = createCompactStringSet();
    for (const key of ['', 'a', 'aa', 'ab', 'a\u0000', 'é', 'e\u0301']) assert.ok(set.add(key), JSON.stringify(key));
    assert.equal(set.size, 7);
    assert.equal(set.add('aa'), false);
  });

  it('costs far less than a Set<string> (the reason it exists)', () => {
    const set = createCompactStringSet();
    for (let i = 0; i < 100_000; i++) set.add(`CUST${String(i).padStart(8, '0')}`);
    // 12 bytes + 2-byte length per key, 4 bytes per slot at ≤ 3/4 load, arrays doubling: ≤ 40 bytes a key.
    assert.ok(set.byteLength <= 100_000 * 40, `${set.byteLength} bytes`);
  });
});

describe('createPhoneSet', () => {
  it('agrees with a Set<string> over the whole 6000000000-9999999999 range', () => {
    const next = random(91);
    const set = createPhoneSet();
    const reference = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const n =
        i % 3 === 0 ? 6_000_000_000 + Math.floor(next() * 50) : 6_000_000_000 + Math.floor(next() * 4_000_000_000);
      const phone = `+91${n}`;
      assert.equal(set.add(phone), !reference.has(phone), phone);
      reference.add(phone);
    }
    assert.equal(set.size, reference.size);
    for (const phone of reference) assert.ok(set.has(phone), phone);
  });
  it('holds both ends of the range', () => {
    const set = createPhoneSet();
    assert.equal(set.has('+919999999999'), false);
    assert.ok(set.add('+919999999999'));
    assert.ok(set.add('+916000000000'));
    assert.ok(set.has('+919999999999') && set.has('+916000000000'));
    assert.equal(set.has('+916000000001'), false);
  });
  it('refuses anything but a normalised mobile', () => {
    assert.throws(() => createPhoneSet().add('9876543210'), RangeError);
  });
});

describe('createDeduper', () => {
  it('rejects the later row with a seen customer_id or phone, and remembers only accepted rows', () => {
    const dedupe = createDeduper();
    assert.equal(dedupe.claim('C1', '+919876543210'), undefined);
    assert.equal(dedupe.claim('C1', '+919876543211')?.duplicate, 'duplicate_customer_id');
    assert.equal(dedupe.claim('C2', '+919876543210')?.duplicate, 'duplicate_phone');
    // Neither rejected row registered its other key.
    assert.equal(dedupe.claim('C2', '+919876543211'), undefined);
    assert.match(dedupe.claim('C1', '+919000000000')?.message ?? '', /"C1"/);
  });
  it('says after each growth how many bytes of tables it replaced, so the caller may collect them', () => {
    const replaced: number[] = [];
    const deduper = createDeduper((bytes) => replaced.push(bytes));
    const before = deduper.byteLength;
    for (let i = 0; i < 10_000; i++) assert.equal(deduper.claim(`C${i}`, `+91${9_000_000_000 + i}`), undefined);
    // Both sets start at 1,024 slots and grow by half at 3/4 full: 1,024 → 1,536 → … → 17,496 slots for 10,000 keys.
    assert.ok(replaced.length >= 12, `${replaced.length} growths`);
    assert.ok(
      replaced.every((bytes) => bytes > 0 && bytes < deduper.byteLength),
      'each is a table smaller than what the sets hold now',
    );
    assert.ok(deduper.byteLength > before);
  });

  it('compares ids exactly (case matters, NFC is the caller’s job)', () => {
    const dedupe = createDeduper();
    assert.equal(dedupe.claim('c1', '+919876543210'), undefined);
    assert.equal(dedupe.claim('C1', '+919876543211'), undefined);
  });
});
