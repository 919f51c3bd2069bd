/**
 * The fixture tables: every valid document clean, every invalid one raising exactly its code.
 *
 * Conventions:
 * - fixtures/exoml/valid/*.xml: realistic documents; each must be clean under --strict (no finding at all).
 * - fixtures/exoml/invalid/<CODE>-<slug>.xml: raises <CODE> and no other code. The expected line is written in the
 *   file as `<!-- line: N -->` (after the XML declaration, where a comment is legal); a file that cannot carry a
 *   comment (EXO010, an empty document) expects line 1. `<!-- options: allow-twiml-extras -->` turns the option on.
 * - fixtures/json/<CODE>-<kind>-<slug>[-L<line>].(json|txt), kind gather | connect | greeting: the same rule for the
 *   App Bazaar JSON / text surfaces; the expected line is in the name (`-L4`), line 1 when absent.
 *   fixtures/json/valid/<kind>-*.(json|txt) must be clean.
 * - fixtures/http/<CODE>-<kind>-<slug>.json: {status, contentType, head?, body}; the HTTP response checks raise
 *   exactly <CODE>. fixtures/http/valid-*.json raise nothing, body included.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { CODES } from '../../src/exoml/codes.ts';
import { checkResponseMeta, type ResponseMeta } from '../../src/exoml/http-response.ts';
import { validateJsonSurface, type JsonKind } from '../../src/exoml/json-surfaces.ts';
import { validateSurface, type SurfaceKind } from '../../src/exoml/surface.ts';
import { validateExoml } from '../../src/exoml/validate.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const list = async (dir: string) =>
  (await readdir(new URL(dir, FIXTURES))).filter((f) => /\.(xml|json|txt)$/.test(f)).sort();
const read = (path: string) => readFile(new URL(path, FIXTURES));

const KINDS: Readonly<Record<string, JsonKind>> = {
  gather: 'gather-json',
  connect: 'connect-json',
  greeting: 'greeting',
};
const SURFACES: Readonly<Record<string, SurfaceKind>> = { exoml: 'exoml', ...KINDS };

const validXml = await list('exoml/valid/');
const invalidXml = await list('exoml/invalid/');
const validJson = await list('json/valid/');
const invalidJson = (await list('json/')).filter((f) => /^EXO\d{3}-/.test(f));
const httpFiles = await list('http/');

const codeOf = (name: string) => /^(EXO\d{3})-/.exec(name)?.[1] ?? '';
const summary = (findings: ReadonlyArray<{ code: string; line: number; message: string }>) =>
  findings.map((f) => `${f.code}@${f.line} ${f.message}`).join('\n');

describe('fixtures/exoml/valid', () => {
  it('holds at least 15 documents', () => assert.ok(validXml.length >= 15, `${validXml.length} valid fixtures`));
  for (const name of validXml) {
    it(`${name} is clean under --strict`, async () => {
      const { findings, root } = validateExoml(await read(`exoml/valid/${name}`));
      assert.equal(summary(findings), '');
      assert.equal(root?.name, 'Response');
    });
  }
  it('cover every verb and the Indic languages', async () => {
    const all = (await Promise.all(validXml.map((n) => read(`exoml/valid/${n}`)))).map(String).join('\n');
    for (const verb of ['Say', 'Play', 'Gather', 'Dial', 'Number', 'Record', 'Redirect', 'Hangup'])
      assert.match(all, new RegExp(`<${verb}[ >/]`), verb);
    for (const lang of ['hi', 'ta', 'te', 'kn', 'bn', 'ml', 'mr', 'gu', 'pa', 'or'])
      assert.match(all, new RegExp(`language="${lang}"`), lang);
  });
});

describe('fixtures/exoml/invalid: each raises exactly the code in its name, at the line it states', () => {
  for (const name of invalidXml) {
    it(name, async () => {
      const bytes = await read(`exoml/invalid/${name}`);
      const latin = bytes.toString('latin1');
      const line = Number(/<!-- line: (\d+) -->/.exec(latin)?.[1] ?? 1);
      const { findings } = validateExoml(bytes, {
        allowTwimlExtras: latin.includes('<!-- options: allow-twiml-extras -->'),
      });
      assert.deepEqual([...new Set(findings.map((f) => f.code))], [codeOf(name)], summary(findings));
      assert.equal(findings[0]?.line, line, summary(findings));
    });
  }
});

describe('fixtures/json: App Bazaar surfaces', () => {
  for (const name of validJson) {
    it(`valid/${name} is clean`, async () => {
      const kind = KINDS[name.split('-')[0] ?? ''];
      assert.ok(kind, `${name}: unknown kind`);
      assert.equal(summary(validateJsonSurface(kind, String(await read(`json/valid/${name}`)))), '');
    });
  }
  for (const name of invalidJson) {
    it(name, async () => {
      const kind = KINDS[name.split('-')[1] ?? ''];
      assert.ok(kind, `${name}: unknown kind`);
      const line = Number(/-L(\d+)\.\w+$/.exec(name)?.[1] ?? 1);
      const findings = validateJsonSurface(kind, String(await read(`json/${name}`)));
      assert.deepEqual([...new Set(findings.map((f) => f.code))], [codeOf(name)], summary(findings));
      assert.equal(findings[0]?.line, line, summary(findings));
    });
  }
});

describe('fixtures/http: status, Content-Type, HEAD', () => {
  for (const name of httpFiles) {
    it(name, async () => {
      const fixture = JSON.parse(String(await read(`http/${name}`))) as ResponseMeta & { body: string };
      const kind = SURFACES[/^(?:EXO\d{3}|valid)-([a-z]+)/.exec(name)?.[1] ?? ''];
      assert.ok(kind, `${name}: unknown kind`);
      if (name.startsWith('valid-')) {
        assert.equal(summary(validateSurface(fixture.body, { kind, meta: fixture }).findings), '');
      } else {
        assert.deepEqual(
          checkResponseMeta(kind, fixture).map((f) => f.code),
          [codeOf(name)],
        );
      }
    });
  }
});

it('every code in codes.ts has a fixture that raises it', () => {
  const covered = new Set([...invalidXml, ...invalidJson, ...httpFiles].map(codeOf));
  const missing = CODES.map((c) => c.code).filter((code) => !covered.has(code));
  assert.deepEqual(missing, []);
});
