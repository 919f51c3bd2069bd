/**
 * validate agrees with Exotel: every document written from Exotel's own pages passes --strict (fixtures/exoml/
 * exotel-docs, each citing its page), opinions those pages do not follow are `info` (failing only --pedantic), and
 * the common real mistakes are reported with their code at their line:col.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateJsonSurface } from '../../src/exoml/json-surfaces.ts';
import { isClean, validateExoml } from '../../src/exoml/validate.ts';
import { runCli } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = new URL('../../fixtures/exoml/exotel-docs/', import.meta.url);
const names = (await readdir(DOCS)).filter((f) => f.endsWith('.xml')).sort();
const where = (findings: ReadonlyArray<{ code: string; line: number; column: number }>) => findings.map((f) => `${f.code}@${f.line}:${f.column}`);

describe("fixtures/exoml/exotel-docs: Exotel's published examples", () => {
  it('holds the documented shapes', () => assert.ok(names.length >= 5, `${names.length} documents`));
  for (const name of names) {
    it(`${name} passes --strict: no error, no warning`, async () => {
      const text = await readFile(new URL(name, DOCS), 'utf8');
      assert.match(text, /https:\/\/developer\.exotel\.com\//, 'the fixture cites its page');
      const { findings } = validateExoml(text);
      assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.code} ${f.message}`), []);
      assert.equal(isClean(findings, true), true);
    });
  }

  it('the quickstart raises only infos: no declaration, a relative action, no terminal verb', async () => {
    const { findings } = validateExoml(await readFile(new URL('quickstart-menu.xml', DOCS)));
    assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['EXO011', 'info'], ['EXO505', 'info'], ['EXO301', 'info']]);
    assert.equal(isClean(findings, true), true);
    assert.equal(isClean(findings, true, true), false);
  });

  it('Dial without callerId and Gather without action are infos', () => {
    const doc = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Gather numDigits="1"><Say>x</Say></Gather><Dial>+919812345678</Dial></Response>';
    const { findings } = validateExoml(doc);
    assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['EXO505', 'info'], ['EXO506', 'info'], ['EXO504', 'info']]);
  });

  it('validate --strict passes them all; --pedantic fails on the infos', async () => {
    const strict = await runCli(['validate', 'fixtures/exoml/exotel-docs/*.xml', '--strict'], { cwd: ROOT });
    assert.equal(strict.code, 0, strict.stdout + strict.stderr);
    assert.match(strict.stdout, / info EXO505 /);
    assert.match(strict.stderr, new RegExp(`0 errors, 0 warnings, \\d+ info in ${names.length} sources; ${names.length} passed`));
    const pedantic = await runCli(['validate', 'fixtures/exoml/exotel-docs/quickstart-menu.xml', '--pedantic'], { cwd: ROOT });
    assert.equal(pedantic.code, 1);
    assert.match(pedantic.stderr, /--pedantic: warnings and infos fail/);
  });
});

describe('the common mistakes, each with its code at its line:col', () => {
  const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

  it('a bare & inside an attribute is EXO001 at the &, not an EXO301 quoting the value', () => {
    const { findings } = validateExoml(`${DECL}<Response>\n  <Gather action="/gather-response?call_sid=A&customer_id=c" numDigits="1"><Say>x</Say></Gather>\n</Response>`);
    assert.deepEqual(where(findings), ['EXO001@3:46']);
    assert.match(findings[0]?.message ?? '', /bare '&'/);
  });

  it('escaped ampersands and references stay valid', () => {
    const { findings } = validateExoml(`${DECL}<Response><Redirect>https://a.example/x?a=1&amp;b=2&#38;c=&#x26;</Redirect></Response>`);
    assert.deepEqual(where(findings), []);
  });

  it('a missing > in </Response is reported where the end tag is, not at the end of the file', () => {
    const { findings } = validateExoml(`${DECL}<Response>\n  <Hangup/>\n</Response\n\n\n`);
    assert.deepEqual(where(findings), ['EXO001@4:1']);
  });

  it('a speech Gather gets one EXO201 saying speech input is TwiML', () => {
    const doc = `${DECL}<Response>\n  <Gather input="speech" language="en-IN" speechTimeout="auto" action="https://a.example/s" numDigits="1"><Say>x</Say></Gather>\n  <Hangup/>\n</Response>`;
    const { findings } = validateExoml(doc);
    assert.deepEqual(where(findings), ['EXO201@3:11']);
    assert.match(findings[0]?.message ?? '', /speech input is TwiML; Exotel's <Gather> collects DTMF keys only/);
  });

  it('voice="hi-IN" says it looks like a language code', () => {
    const [f] = validateExoml(`${DECL}<Response><Say voice="hi-IN">x</Say><Hangup/></Response>`).findings;
    assert.equal(f?.code, 'EXO202');
    assert.match(f?.message ?? '', /looks like a language code/);
    assert.match(f?.hint ?? '', /language="hi"/);
  });

  it('SSML in <Say>: <say-as> and <break> are accepted, other SSML is a warning (EXO109)', () => {
    const ok = validateExoml(`${DECL}<Response><Say>a <say-as interpret-as="digits">12</say-as><break time="1s"/></Say><Hangup/></Response>`);
    assert.deepEqual(where(ok.findings), []);
    const other = validateExoml(`${DECL}<Response><Say>a <emphasis>b</emphasis></Say><Hangup/></Response>`);
    assert.deepEqual(other.findings.map((f) => [f.code, f.severity]), [['EXO109', 'warning']]);
  });

  it('max_input_digits: 0 does not claim Exotel waits for 255 digits; absent does', () => {
    const zero = validateJsonSurface('gather-json', '{"gather_prompt": {"text": "x"}, "max_input_digits": 0}');
    assert.deepEqual(zero.map((f) => f.code), ['EXO605']);
    assert.doesNotMatch(`${zero[0]?.message} ${zero[0]?.hint}`, /255/);
    const absent = validateJsonSurface('gather-json', '{"gather_prompt": {"text": "x"}}');
    assert.match(absent[0]?.message ?? '', /255/);
  });

  it('outgoing_phone_number that is not a number is an error (EXO617); a national number stays a warning', () => {
    const bad = validateJsonSurface('connect-json', '{"destination": {"numbers": ["+919812345678"]},\n "outgoing_phone_number": "not-a-number"}');
    assert.deepEqual(bad.map((f) => [f.code, f.severity, f.line]), [['EXO617', 'error', 2]]);
    const national = validateJsonSurface('connect-json', '{"destination": {"numbers": ["+919812345678"]}, "outgoing_phone_number": "08047112233"}');
    assert.deepEqual(national.map((f) => [f.code, f.severity]), [['EXO615', 'warning']]);
  });
});
