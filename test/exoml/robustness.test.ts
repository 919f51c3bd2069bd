/**
 * Hostile input never crashes or hangs the validator and always yields a finding. Behaviour, not
 * timing: each case must return the expected code; the test runner's own timeout is the bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJsonSurface } from '../../src/exoml/json-surfaces.ts';
import { validateSurface } from '../../src/exoml/surface.ts';
import { validateExoml } from '../../src/exoml/validate.ts';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const codes = (input: string | Uint8Array) => validateExoml(input).findings.map((f) => f.code);

describe('hostile ExoML', { timeout: 60_000 }, () => {
  it('binary bytes → EXO009', () => {
    const bytes = new Uint8Array(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    assert.deepEqual(codes(bytes), ['EXO009']);
  });

  it('NUL characters in a string → EXO009', () => {
    assert.deepEqual(codes(`${DECL}<Response><Say>a\u0000b</Say><Hangup/></Response>`), ['EXO009']);
  });

  it('10 MB of input → EXO007, without parsing it', () => {
    const say = '<Say voice="woman" language="en">hello</Say>';
    const doc = `${DECL}<Response>${say.repeat(Math.ceil((10 * 1024 * 1024) / say.length))}<Hangup/></Response>`;
    assert.deepEqual(codes(doc), ['EXO007']);
    assert.deepEqual(codes(Buffer.from(doc)), ['EXO007']);
  });

  it('100,000-deep nesting → EXO008', () => {
    const doc = `${DECL}<Response>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</Response>`;
    const { findings } = validateExoml(doc);
    assert.deepEqual(findings.map((f) => f.code), ['EXO008']);
  });

  it('100,000 unclosed tags → EXO008 (the depth scan runs before the parser)', () => {
    assert.deepEqual(codes(`${DECL}<Response>${'<Say>'.repeat(100_000)}`), ['EXO008']);
  });

  it('billion laughs DOCTYPE → EXO006, entities never expanded', () => {
    let entities = '<!ENTITY lol "lol">';
    for (let i = 1; i <= 9; i++) entities += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    const doc = `${DECL}<!DOCTYPE lolz [${entities}]><Response><Say>&lol9;</Say></Response>`;
    assert.deepEqual(codes(doc), ['EXO006']);
  });

  it('external entity (XXE) DOCTYPE → EXO006', () => {
    assert.deepEqual(codes(`${DECL}<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Say>&x;</Say></Response>`), ['EXO006']);
  });

  it('undeclared entity or forbidden character reference → EXO001 at its position, never spoken as text', () => {
    const { findings } = validateExoml(`${DECL}<Response>\n<Say>hi &lol9;</Say><Hangup/></Response>`);
    assert.deepEqual(findings.map((f) => [f.code, f.line, f.column]), [['EXO001', 3, 9]]);
    assert.deepEqual(codes(`${DECL}<Response><Say>&#0;</Say><Hangup/></Response>`), ['EXO001']);
    assert.deepEqual(codes(`${DECL}<Response><Say><![CDATA[&lol9;]]> &amp;lol9; &#x0939;</Say><Hangup/></Response>`), []);
  });

  it('invalid UTF-8 → EXO002', () => {
    const bytes = Buffer.concat([Buffer.from(`${DECL}<Response><Say>`), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('</Say><Hangup/></Response>')]);
    assert.deepEqual(codes(bytes), ['EXO002']);
  });

  it('an attribute-heavy document → one EXO201 per unknown attribute, positions intact', () => {
    const attrs = Array.from({ length: 5000 }, (_, i) => ` a${i}="${i}"`).join('');
    const { findings } = validateExoml(`${DECL}<Response>\n<Say voice="woman"${attrs}>hi</Say>\n<Hangup/>\n</Response>`);
    assert.equal(findings.length, 5000);
    assert.ok(findings.every((f) => f.code === 'EXO201' && f.line === 3));
  });

  it('a huge Say (900 KB of Devanagari) → EXO402', () => {
    const text = 'नमस्ते '.repeat(45_000);
    assert.ok(Buffer.byteLength(text) < 1024 * 1024);
    assert.deepEqual(codes(`${DECL}<Response><Say voice="woman" language="hi">${text}</Say><Hangup/></Response>`), ['EXO402']);
  });

  it('200,000 sibling verbs → EXO501 once, no recursion', () => {
    const doc = `${DECL}<Response><Hangup/>${'<Hangup/>'.repeat(100_000)}</Response>`;
    assert.deepEqual(codes(doc), ['EXO501']);
  });

  it('140,000 attributes on one element (under 1 MB) → one EXO201 each, no RangeError from spreading them', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const name = (i: number): string => letters[i % 52] + (i >= 52 ? name(Math.floor(i / 52) - 1) : '');
    const attrs = Array.from({ length: 140_000 }, (_, i) => `${name(i)}=""`).join(' ');
    const doc = `${DECL}<Response><Say ${attrs}>hi</Say><Hangup/></Response>`;
    assert.ok(Buffer.byteLength(doc) < 1024 * 1024);
    const { findings } = validateExoml(doc);
    assert.equal(findings.length, 140_000);
  });

  it('100,000 bare <Gather/> → lint findings for each, no RangeError', () => {
    const { findings } = validateExoml(`${DECL}<Response>${'<Gather/>'.repeat(100_000)}<Hangup/></Response>`);
    assert.equal(findings.filter((f) => f.code === 'EXO506').length, 100_000);
  });

  it('a declaration and nothing else → EXO001 at a real line:column (the XML validator gives no column)', () => {
    const { findings } = validateExoml(`${DECL}`);
    assert.deepEqual(findings.map((f) => [f.code, f.line, f.column]), [['EXO001', 1, 1]]);
  });

  it('garbage text, a lone "<", an empty string → a finding each', () => {
    assert.deepEqual(codes('hello world'), ['EXO001']);
    assert.deepEqual(codes('<'), ['EXO001']);
    assert.deepEqual(codes(''), ['EXO010']);
  });
});

describe('hostile JSON and Greeting bodies', { timeout: 60_000 }, () => {
  it('100,000-deep JSON arrays → EXO601 or a shape error, no stack overflow', () => {
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    assert.deepEqual(validateJsonSurface('gather-json', body).map((f) => f.code), ['EXO601']);
    const unclosed = `{"gather_prompt": ${'['.repeat(100_000)}`;
    assert.deepEqual(validateJsonSurface('gather-json', unclosed).map((f) => f.code), ['EXO601']);
  });

  it('10 MB body for a JSON kind → EXO007', () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    assert.deepEqual(validateSurface(body, { kind: 'gather-json' }).findings.map((f) => f.code), ['EXO007']);
  });

  it('binary and invalid UTF-8 for JSON kinds → a finding', () => {
    assert.deepEqual(validateSurface(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { kind: 'connect-json' }).findings.map((f) => f.code), ['EXO002']);
    assert.deepEqual(validateSurface(Buffer.from([0x7b, 0x00, 0x7d]), { kind: 'connect-json' }).findings.map((f) => f.code), ['EXO601']);
  });

  it('a 900 KB greeting → EXO624', () => {
    assert.deepEqual(validateJsonSurface('greeting', 'a '.repeat(450_000)).map((f) => f.code), ['EXO624']);
  });

  it('auto-detection of binary input picks ExoML and reports EXO009', () => {
    const result = validateSurface(new Uint8Array([0, 1, 2, 3]));
    assert.equal(result.kind, 'exoml');
    assert.deepEqual(result.findings.map((f) => f.code), ['EXO009']);
  });
});
