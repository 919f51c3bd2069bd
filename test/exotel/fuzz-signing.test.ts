/**
 * Property: a signed passthru URL (`url --sign`, built by buildPassthruUrl) verifies untouched, and after any
 * mutation of its query it verifies exactly when the signed meaning is unchanged: the customer fields, exp and
 * sig, each given once, with the same decoded values. Mutations: a parameter changed, tweaked, added, removed,
 * renamed, swapped, duplicated (anywhere in the order), re-encoded (`+` for space, every byte escaped, lower-case
 * hex, double-encoded, NFD, a stray invalid escape), fields folded into another one, and plain reordering.
 * Checked with both readings of a query: URLSearchParams, and the server's own (node:querystring, which express's
 * query parser uses, through paramEntries).
 *
 * Replay: fast-check prints `seed` and `path` on failure; put them in fc.assert's options as
 * `{ seed, path, endOnFailure: true }` to run just the failing case.
 */
import assert from 'node:assert/strict';
import { parse as parseQueryString } from 'node:querystring';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildPassthruUrl } from '../../src/customers/passthru-url.ts';
import { CUSTOMER_FIELDS, type CustomerInput } from '../../src/exotel/customer.ts';
import { verifySignedEntries } from '../../src/exotel/signing.ts';
import { paramEntries } from '../../src/server/params.ts';

const SEED = 0x5eed_2026;
const RUNS = 12_000;
const SECRET = 'fuzz-signing-secret';
const NOW = new Date('2026-03-01T00:00:00Z');
const EXPIRES = new Date('2026-03-08T00:00:00Z');
const SIGNED = new Set<string>([...CUSTOMER_FIELDS, 'exp', 'sig']);
const NAMES = [...CUSTOMER_FIELDS, 'exp', 'sig', 'CallSid', 'CustomField', 'Amount', 'customer_id ', 'key'] as const;

type Segment = [name: string, value: string];
type Entry = readonly [string, string];

const tricky = fc.constantFrom(
  '\n',
  '=',
  '&',
  '+',
  '%',
  '%25',
  '"',
  ',',
  '|',
  ';',
  ' ',
  '\u0000',
  '[]',
  'phone=+919000000000',
  'exp=1',
);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
  fc
    .array(fc.oneof(tricky, fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((parts) => parts.join('')),
);
const customer = fc
  .record(
    Object.fromEntries(CUSTOMER_FIELDS.map((field) => [field, text])) as Record<
      (typeof CUSTOMER_FIELDS)[number],
      fc.Arbitrary<string>
    >,
    {
      requiredKeys: ['customer_id'],
    },
  )
  .map((c): CustomerInput => c);

const at = (index: number, length: number) => (length === 0 ? 0 : index % length);
const encode = (value: string) => encodeURIComponent(value);
const decode = (raw: string) => new URLSearchParams(`x=${raw}`).get('x') ?? '';
const escapeAll = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

const REENCODINGS: Record<string, (raw: string) => string> = {
  plus: (raw) => raw.replace(/%20/g, '+'),
  everyByte: (raw) => escapeAll(decode(raw)),
  lowerHex: (raw) => raw.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  double: (raw) => encode(raw),
  nfd: (raw) => encode(decode(raw).normalize('NFD')),
  strayEscape: (raw) => `${raw}%FF`,
  truncatedEscape: (raw) => `${raw}%E0%A4`,
};

type Mutation = (segments: Segment[]) => Segment[];

/** Segment i (modulo the length) replaced by what `change` makes of it. */
const replaceAt = (s: Segment[], i: number, change: (seg: Segment) => Segment): Segment[] =>
  s.map((seg, j): Segment => (j === at(i, s.length) ? change(seg) : seg));

function fold(s: Segment[], target: number, picks: readonly number[], separator: string): Segment[] {
  const t = at(target, s.length);
  const moved = new Set(picks.map((p) => at(p, s.length)).filter((p) => p !== t));
  const folded = [...moved].map((p) => s[p]).map((seg) => (seg ? `${separator}${seg[0]}=${decode(seg[1])}` : ''));
  return s.flatMap((seg, j): Segment[] =>
    moved.has(j) ? [] : j === t ? [[seg[0], encode(decode(seg[1]) + folded.join(''))]] : [seg],
  );
}

function swapValues(s: Segment[], i: number, k: number): Segment[] {
  const a = s[at(i, s.length)];
  const b = s[at(k, s.length)];
  if (!a || !b) return s;
  return replaceAt(
    replaceAt(s, i, ([name]) => [name, b[1]]),
    k,
    ([name]) => [name, a[1]],
  );
}

/** A mutation that prints as `label` in fast-check's counterexample. */
const named = (label: string, apply: Mutation): Mutation => Object.assign(apply, { [fc.toStringMethod]: () => label });
const json = (value: string) => JSON.stringify(value);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // changed, tweaked
  fc
    .tuple(fc.nat(), text)
    .map(([i, v]) => named(`set #${i} to ${json(v)}`, (s) => replaceAt(s, i, ([name]) => [name, encode(v)]))),
  fc
    .tuple(fc.nat(), fc.constantFrom('x', ' ', '0', 'é'))
    .map(([i, c]) =>
      named(`append ${json(c)} to #${i}`, (s) => replaceAt(s, i, ([name, raw]) => [name, raw + encode(c)])),
    ),
  // added (a new name, or a repeat of one already there), added empty, removed
  fc
    .tuple(fc.constantFrom(...NAMES), text, fc.nat())
    .map(([name, v, p]) =>
      named(`insert ${name}=${json(v)} at ${p}`, (s) => s.toSpliced(at(p, s.length + 1), 0, [name, encode(v)])),
    ),
  fc
    .tuple(fc.constantFrom(...CUSTOMER_FIELDS), fc.nat())
    .map(([name, p]) => named(`insert empty ${name} at ${p}`, (s) => s.toSpliced(at(p, s.length + 1), 0, [name, '']))),
  fc.nat().map((i) => named(`remove #${i}`, (s) => s.toSpliced(at(i, s.length), 1))),
  // duplicated elsewhere in the order, renamed, values swapped
  fc.tuple(fc.nat(), fc.nat()).map(([i, p]) =>
    named(`copy #${i} to ${p}`, (s) => {
      const seg = s[at(i, s.length)];
      return seg ? s.toSpliced(at(p, s.length + 1), 0, [seg[0], seg[1]]) : s;
    }),
  ),
  fc
    .tuple(fc.nat(), fc.constantFrom(...NAMES))
    .map(([i, name]) => named(`rename #${i} to ${json(name)}`, (s) => replaceAt(s, i, ([, raw]) => [name, raw]))),
  fc.tuple(fc.nat(), fc.nat()).map(([i, k]) => named(`swap values #${i} #${k}`, (s) => swapValues(s, i, k))),
  // re-encoded, folded into another field, reordered
  fc.tuple(fc.nat(), fc.constantFrom(...Object.keys(REENCODINGS))).map(([i, style]) =>
    named(`re-encode #${i} (${style})`, (s) => {
      const reencode = REENCODINGS[style] ?? ((raw: string) => raw);
      return replaceAt(s, i, ([name, raw]) => [name, reencode(raw)]);
    }),
  ),
  fc
    .tuple(
      fc.nat(),
      fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('\n', '&', '|', ';', ',', ' ', '\u0000', ''),
    )
    .map(([t, picks, sep]) =>
      named(`fold #${picks.join(',')} into #${t} with ${json(sep)}`, (s) => fold(s, t, picks, sep)),
    ),
  fc.nat().map((r) => named(`rotate by ${r}`, (s) => s.map((_, j) => s[(j + r) % s.length] as Segment))),
);

function segmentsOf(url: string): Segment[] {
  const query = new URL(url).search.slice(1);
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** The signed meaning of a request: its signed pairs sorted, or 'ambiguous' when a signed name repeats. */
function meaning(entries: readonly Entry[]): string {
  const signed = entries.filter(([name]) => SIGNED.has(name));
  if (new Set(signed.map(([name]) => name)).size !== signed.length) return 'ambiguous';
  return JSON.stringify(signed.toSorted(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const readers: ReadonlyArray<readonly [string, (query: string) => Entry[]]> = [
  ['URLSearchParams', (query) => [...new URLSearchParams(query)]],
  ['server (node:querystring + paramEntries)', (query) => paramEntries(parseQueryString(query), undefined)],
];

describe('signed URLs: no mutation of the query verifies (property)', () => {
  it(`${RUNS} signed URLs, each mutated; seed ${SEED}`, () => {
    let changed = 0;
    fc.assert(
      fc.property(customer, fc.array(mutation, { minLength: 1, maxLength: 3 }), (input, mutations) => {
        const url = buildPassthruUrl('https://bot.example.com', input, {
          kind: 'signed',
          secret: SECRET,
          expiresAt: EXPIRES,
        });
        // What Exotel appends to the URL's own query does not touch the signature.
        const original = [
          ...segmentsOf(url),
          ['CallSid', 'CA123'],
          ['CustomField', encode('{"amount":"1"}')],
        ] satisfies Segment[];
        const mutated = mutations.reduce(
          (segments, mutate) => mutate(segments),
          original.map((seg): Segment => [...seg]),
        );
        const query = mutated.map(([name, value]) => `${name}=${value}`).join('&');
        for (const [reader, read] of readers) {
          const before = read(original.map(([name, value]) => `${name}=${value}`).join('&'));
          assert.deepEqual(
            verifySignedEntries(before, SECRET, NOW),
            { ok: true },
            `${reader}: the untouched URL verifies`,
          );
          const after = read(query);
          const same = meaning(after) === meaning(before);
          if (!same) changed += 1;
          const verdict = verifySignedEntries(after, SECRET, NOW);
          assert.equal(
            verdict.ok,
            same,
            `${reader}: ${same ? 'same meaning refused' : 'changed meaning accepted'}: ${query}`,
          );
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Guard against a vacuous run: most mutations must really change what was signed.
    assert.ok(changed > RUNS, `only ${changed} of ${2 * RUNS} readings changed the signed meaning`);
  });
});
