/**
 * Fuzzing validateExoml with XML-ish documents built from fragments: elements of the dialect and unknown ones,
 * attributes (known, unknown, named like Object.prototype members), entities, CDATA, comments, PIs, control
 * characters, unicode (lone surrogates too), broken tags, deep nesting and elements with thousands of attributes.
 * Properties: it never throws, every finding is well-formed and points inside the document, a document without a
 * tree has an error, each document is done in bounded time, and the time grows linearly with the size (CPU time,
 * as a ratio between two sizes measured in turns).
 *
 * The seed is fixed, so every run checks the same documents. On a failure fast-check prints the seed and the
 * counterexample's path; to replay just that case, pass both to fc.assert: `{ seed: SEED, path: '…' }`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCode } from '../../src/exoml/codes.ts';
import { ELEMENTS } from '../../src/exoml/dialect.ts';
import { validateExoml } from '../../src/exoml/validate.ts';
import { bestCpuMs, cpuMs } from '../support/cpu-time.ts';

const SEED = 20_250_811;
const RUNS = 2500;

const DIALECT = Object.keys(ELEMENTS);
const ODD_NAMES = [
  'say',
  'RESPONSE',
  'Sms',
  'Flow',
  'speak',
  'x',
  'a:b',
  '_',
  'constructor',
  'toString',
  '__proto__',
  'valueOf',
];
const ATTRIBUTE_NAMES = [
  ...new Set(Object.values(ELEMENTS).flatMap((spec) => Object.keys(spec.attrs))),
  'Voice',
  'x',
  'xmlns',
  'xml:lang',
  'a-b',
  'constructor',
  'toString',
  'hasOwnProperty',
  '__proto__',
];
const SPECIAL_TEXT = [
  '&amp;',
  '&lt;',
  '&gt;',
  '&quot;',
  '&apos;',
  '&#x939;',
  '&#2309;',
  '&#0;',
  '&#x1F600;',
  '&#xD800;',
  '&lol;',
  '&',
  '<',
  '>',
  ']]>',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\uFFFE',
  '\uD800',
  '\uDC00',
  '\r\n',
  '\r',
  '\t',
  'नमस्ते',
  'வணக்கம்',
  '😀',
  '{{name}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder left unrendered is what EXO403 looks for
  '${x}',
  'undefined',
  'NaN',
  '[object Object]',
];
const VALUES = [
  'woman',
  'man',
  'female',
  'hi',
  'en',
  'hi-IN',
  'HI',
  '1',
  '0',
  '-1',
  '99999999999',
  '5',
  'GET',
  'post',
  'true',
  'yes',
  '#',
  '1#',
  '*#',
  'https://bot.example/a',
  'http://x',
  '/rel',
  'ftp://x',
  '+919876543210',
  'trim-silence',
  '',
];
const BROKEN = [
  '<',
  '</',
  '<Say',
  '</Say>',
  '<Say/',
  '<!--',
  '<![CDATA[',
  '"',
  "'",
  '<?xml version="1.0"?>',
  '<!DOCTYPE x>',
  '<!DOCTYPE r [<!ENTITY a "b">]>',
  '&',
  ']]>',
  '<a b="1" b="2"/>',
  '<1/>',
  '<a =""/>',
  '<a b=c/>',
  '</>',
];
const PROLOGS = [
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  '<?xml version="1.0"?>',
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '\uFEFF<?xml version="1.0" encoding="UTF-8"?>',
  '  <?xml version="1.0" encoding="UTF-8"?>',
  '',
];

/** Mostly text that keeps the document well-formed (so the checks behind the parser run too), some that breaks it. */
const text = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 12 })
      .map((t) => t.replaceAll('&', '&amp;').replaceAll('<', '&lt;')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_TEXT) },
);
/** Attribute values: quoted either way; sometimes with the other quote, <, & or a newline inside. */
const attribute = fc.tuple(
  fc.constantFrom(...ATTRIBUTE_NAMES),
  fc.oneof(fc.constantFrom(...VALUES), text),
  fc.constantFrom('"', "'"),
);
/** Up to four attributes, names mostly distinct (a repeated one makes the document malformed: sometimes wanted). */
const attributes = fc
  .tuple(fc.uniqueArray(attribute, { maxLength: 4, selector: ([name]) => name }), fc.nat(19))
  .map(([list, dice]) => (dice === 0 && list[0] ? [...list, list[0]] : list))
  .map((list) =>
    list.map(([name, value, q]) => ` ${name}=${q}${value.replaceAll(q, q === '"' ? '&quot;' : '&apos;')}${q}`).join(''),
  );
/** Thousands of attributes on one element: unique names mostly (every one reaches the checks), or repeated ones. */
const manyAttributes = fc
  .tuple(fc.integer({ min: 500, max: 6000 }), fc.nat(9))
  .map(([count, dice]) => Array.from({ length: count }, (_, i) => ` a${dice > 0 ? i : i % 50}="${i}"`).join(''));

type Node = string;
const { node } = fc.letrec<{ node: Node; element: Node; leaf: Node }>((tie) => ({
  leaf: fc.oneof(
    { weight: 8, arbitrary: text },
    { weight: 1, arbitrary: text.map((t) => `<![CDATA[${t}]]>`) },
    { weight: 1, arbitrary: text.map((t) => `<!--${t}-->`) },
    { weight: 1, arbitrary: text.map((t) => `<?pi ${t}?>`) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN) },
  ),
  element: fc
    .tuple(
      fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...DIALECT) },
        { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) },
      ),
      fc.oneof({ weight: 19, arbitrary: attributes }, { weight: 1, arbitrary: manyAttributes }),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.boolean(),
    )
    .map(([name, attrs, children, selfClose]) =>
      selfClose && children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join('')}</${name}>`,
    ),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('element'), tie('element')),
}));
/** Nesting from shallow to past the 32-level cap. */
const nested = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('Gather', 'Say', 'a', 'Response'), node)
  .map(([depth, name, inner]) => `${`<${name}>`.repeat(depth)}${inner}${`</${name}>`.repeat(depth)}`);

const documentArb = fc
  .tuple(
    fc.constantFrom(...PROLOGS),
    fc.array(fc.oneof({ weight: 4, arbitrary: node }, { weight: 1, arbitrary: nested }), { maxLength: 6 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    fc.boolean(),
  )
  .map(([prolog, body, wrap, bytes]) => {
    const doc = `${prolog}${wrap ? `<Response>${body.join('')}</Response>` : body.join('')}`;
    return bytes ? new TextEncoder().encode(doc) : doc;
  });

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';

const lineCount = (input: string | Uint8Array) => {
  const source = typeof input === 'string' ? input : new TextDecoder().decode(input);
  return (source.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
};

/** Generous: documents here are at most a few hundred KB; the slowest takes some 30–40 ms of CPU. */
const MAX_MS_PER_DOCUMENT = 3000;

describe('validateExoml fuzzed', { timeout: 120_000 }, () => {
  it(`never throws, findings well-formed, bounded time (${RUNS} documents)`, (t) => {
    let slowest = 0;
    fc.assert(
      fc.property(documentArb, (input) => {
        let result: ReturnType<typeof validateExoml> | undefined;
        const ms = cpuMs(() => {
          result = validateExoml(input);
        });
        const { findings, root } = result as ReturnType<typeof validateExoml>;
        assert.ok(ms < MAX_MS_PER_DOCUMENT, `took ${ms.toFixed(0)} ms of CPU`);
        slowest = Math.max(slowest, ms);
        const lines = lineCount(input);
        for (const f of findings) {
          assert.ok(isCode(f.code), `known code: ${f.code}`);
          assert.ok(f.severity === 'error' || f.severity === 'warning' || f.severity === 'info');
          assert.ok(Number.isInteger(f.line) && f.line >= 1 && f.line <= lines, `line ${f.line} of ${lines}`);
          assert.ok(Number.isInteger(f.column) && f.column >= 1, `column ${f.column}`);
          assert.equal(typeof f.message, 'string');
        }
        if (root === undefined)
          assert.ok(
            findings.some((f) => f.severity === 'error'),
            'no tree without an error',
          );
      }),
      { seed: SEED, numRuns: RUNS },
    );
    t.diagnostic(`slowest document: ${slowest.toFixed(0)} ms of CPU`);
  });

  it('an attribute outside the whitelist never passes unreported (500 documents)', () => {
    const say = fc.tuple(fc.constantFrom(...ATTRIBUTE_NAMES, 'data-x', 'LOOP'), fc.constantFrom(...VALUES));
    fc.assert(
      fc.property(say, ([name, value]) => {
        fc.pre(!Object.hasOwn(ELEMENTS.Say?.attrs ?? {}, name));
        const doc = `<?xml version="1.0" encoding="UTF-8"?><Response><Say ${name}="${value}">hi</Say><Hangup/></Response>`;
        const codes = validateExoml(doc).findings.map((f) => f.code);
        assert.ok(codes.includes('EXO201') || codes.includes('EXO001'), `${name}: ${codes.join(', ')}`);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('time grows linearly with size: 8× the document costs about 8× (20 random shapes)', (t) => {
    // A shape turns a count into a document whose size grows with it: sibling fragments, attributes of one
    // element, or the text of one element.
    const siblings = fc.array(node, { minLength: 1, maxLength: 3 }).map((parts) => {
      const unit = parts.join('');
      return { unit: Math.max(1, unit.length), doc: (n: number) => `${PROLOG}<Response>${unit.repeat(n)}</Response>` };
    });
    const attributesOfOne = fc
      .tuple(fc.constantFrom(...DIALECT), fc.constantFrom(...ATTRIBUTE_NAMES), fc.constantFrom(...VALUES))
      .map(([name, attr, value]) => {
        const one = ` ${attr}0="${value}"`;
        const attrs = (n: number) => Array.from({ length: n }, (_, i) => ` ${attr}${i}="${value}"`).join('');
        return {
          unit: one.length + 2,
          doc: (n: number) => `${PROLOG}<Response><${name}${attrs(n)}/><Hangup/></Response>`,
        };
      });
    const textOfOne = fc.tuple(fc.constantFrom(...DIALECT), text).map(([name, t]) => {
      const unit = t === '' ? 'a' : t;
      return {
        unit: unit.length,
        doc: (n: number) => `${PROLOG}<Response><${name}>${unit.repeat(n)}</${name}><Hangup/></Response>`,
      };
    });
    let worst = 0;
    fc.assert(
      fc.property(fc.oneof(siblings, attributesOfOne, textOfOne), (shape) => {
        const copies = Math.max(1, Math.floor(80_000 / shape.unit));
        const smallDoc = shape.doc(copies);
        const largeDoc = shape.doc(copies * 8);
        const [small = 0, large = 0] = bestCpuMs(
          3,
          () => validateExoml(smallDoc),
          () => validateExoml(largeDoc),
        );
        // Linear is 8 (measured up to 15 under load); quadratic is 64. Below a few ms, clock granularity rules: floor it.
        const said = `${shape.doc(1).slice(0, 120)}… × ${copies}: ${small.toFixed(1)} ms CPU; × ${copies * 8}: ${large.toFixed(1)} ms`;
        assert.ok(large <= 32 * Math.max(small, 4), said);
        worst = Math.max(worst, large / Math.max(small, 4));
      }),
      { seed: SEED, numRuns: 20 },
    );
    t.diagnostic(`largest ratio for 8× the size: ${worst.toFixed(1)}`);
  });
});
