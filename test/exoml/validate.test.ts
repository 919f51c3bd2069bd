/** Rule-level tests for validateExoml: messages, hints, positions, options, and the API contract simulate uses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClean, validateExoml, type ExomlValidation, type Finding } from '../../src/exoml/validate.ts';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const doc = (body: string) => `${DECL}<Response>\n${body}\n<Hangup/>\n</Response>`;
const run = (body: string, options = {}) => validateExoml(doc(body), options).findings;
const codes = (body: string, options = {}) => run(body, options).map((f) => f.code);
const only = (body: string, code: string): Finding => {
  const findings = run(body);
  assert.deepEqual(findings.map((f) => f.code), [code], JSON.stringify(findings, null, 1));
  return findings[0] as Finding;
};

describe('validateExoml: the contract', () => {
  it('returns {findings, root}; root is the parsed tree, undefined when unparseable', () => {
    const ok: ExomlValidation = validateExoml(doc('<Say voice="woman" language="hi">नमस्ते</Say>'));
    assert.deepEqual(ok.findings, []);
    assert.equal(ok.root?.name, 'Response');
    assert.deepEqual(ok.root?.children.map((c) => c.name), ['Say', 'Hangup']);
    const bad = validateExoml('<Response><Say>');
    assert.equal(bad.root, undefined);
    assert.equal(bad.findings[0]?.code, 'EXO001');
  });

  it('findings are sorted by line, then column, and carry code, severity, message, hint, line, column, path', () => {
    const findings = run('<Say voice="male" language="xx">a</Say>\n<Play loop="x">https://a.example/b.wav</Play>');
    assert.deepEqual(findings.map((f) => [f.code, f.line, f.column]), [['EXO202', 3, 6], ['EXO203', 3, 19], ['EXO205', 4, 7]]);
    assert.deepEqual(findings[0], {
      code: 'EXO202',
      severity: 'error',
      message: '<Say> voice="male": Exotel\'s voices are man and woman',
      hint: 'use woman/man: voice="man"',
      line: 3,
      column: 6,
      path: 'Response/Say[1]/@voice',
    });
  });

  it('isClean: errors always fail; warnings only when strict', () => {
    const warning = run('<Say language="hi-IN">नमस्ते</Say>');
    assert.equal(isClean(warning), true);
    assert.equal(isClean(warning, true), false);
    assert.equal(isClean(run('<Say voice="female">x</Say>')), false);
  });
});

describe('validateExoml: rules', () => {
  it('xx-IN is a warning naming the short code; od-IN maps to or', () => {
    const f = only('<Say language="hi-IN">नमस्ते</Say>', 'EXO204');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /short code "hi"/);
    assert.match(only('<Say language="od-IN">ନମସ୍କାର</Say>', 'EXO204').message, /"or"/);
    assert.match(only('<Say language="HI">x</Say>', 'EXO203').hint ?? '', /language="hi"/);
  });

  it('attribute names are case-sensitive, with a hint naming the right spelling', () => {
    assert.match(only('<Gather action="https://a.example/g" finishOnKey="#" numdigits="1"><Say>x</Say></Gather>', 'EXO201').hint ?? '', /write numDigits/);
    const [hangup] = validateExoml(`${DECL}<Response><Hangup reason="busy"/></Response>`).findings;
    assert.equal(hangup?.code, 'EXO201');
    assert.match(hangup?.hint ?? '', /takes no attributes/);
  });

  it('method: lower case gets a hint to upper-case it', () => {
    const [f] = validateExoml(`${DECL}<Response><Redirect method="get">https://a.example/x</Redirect></Response>`).findings;
    assert.equal(f?.code, 'EXO209');
    assert.match(f?.hint ?? '', /method="GET"/);
  });

  it('ranges: Gather timeout 1–60, Dial timeout 1–120, timeLimit ≤ 14400, maxLength ≤ 3600, strict integers', () => {
    const g = (attrs: string) => `<Gather action="https://a.example/g" numDigits="1" ${attrs}><Say>x</Say></Gather>`;
    assert.deepEqual(codes(g('timeout="60"')), []);
    assert.deepEqual(codes(g('timeout="61"')), ['EXO206']);
    assert.deepEqual(codes(g('timeout="0"')), ['EXO206']);
    assert.deepEqual(codes(g('timeout="5.5"')), ['EXO206']);
    assert.deepEqual(codes(g('timeout=" 5"')), ['EXO206']);
    const d = (attrs: string) => `<Dial callerId="08047112233" ${attrs}>+919812345678</Dial>`;
    assert.deepEqual(codes(d('timeout="120" timeLimit="14400"')), []);
    assert.deepEqual(codes(d('timeout="121"')), ['EXO206']);
    assert.deepEqual(codes(d('timeLimit="14401"')), ['EXO213']);
    assert.deepEqual(codes('<Record action="https://a.example/r" maxLength="3600"/>'), []);
    assert.deepEqual(codes('<Record action="https://a.example/r" maxLength="0"/>'), ['EXO212']);
  });

  it('finishOnKey: Gather takes one key or ""; Record a set of keys', () => {
    const g = (key: string) => `<Gather action="https://a.example/g" numDigits="4" finishOnKey="${key}"><Say>x</Say></Gather>`;
    assert.deepEqual(codes(g('#')), []);
    assert.deepEqual(codes(g('')), []);
    assert.deepEqual(codes(g('#*')), ['EXO208']);
    assert.deepEqual(codes('<Record action="https://a.example/r" finishOnKey="1234567890*#"/>'), []);
    assert.deepEqual(codes('<Record action="https://a.example/r" finishOnKey="##"/>'), ['EXO208']);
  });

  it('phone numbers: E.164, national 0…, SIP URIs in Number text; not in callerId', () => {
    assert.deepEqual(codes('<Dial callerId="+918047112233"><Number>09812345678</Number></Dial>'), []);
    assert.deepEqual(codes('<Dial callerId="sip:a@b.example"><Number>+919812345678</Number></Dial>'), ['EXO211']);
    assert.deepEqual(codes('<Dial callerId="08047112233"><Number>98123</Number></Dial>'), ['EXO211']);
    assert.deepEqual(codes('<Dial callerId="08047112233"><Number/></Dial>'), ['EXO211']);
  });

  it('Dial holds one text number or <Number> elements, not both, not neither', () => {
    assert.deepEqual(codes('<Dial callerId="08047112233">+919812345678<Number>+919812345679</Number></Dial>'), ['EXO108']);
    assert.deepEqual(codes('<Dial callerId="08047112233"></Dial>'), ['EXO108']);
  });

  it('URLs: relative → warning, other schemes and junk → error; Play also wants .wav/.mp3', () => {
    assert.deepEqual(codes('<Redirect>next.xml</Redirect>'), ['EXO301', 'EXO501']);
    assert.deepEqual(codes('<Redirect>javascript:alert(1)</Redirect>'), ['EXO302', 'EXO501']);
    assert.deepEqual(codes('<Redirect>https://</Redirect>'), ['EXO302', 'EXO501']);
    assert.deepEqual(codes('<Redirect></Redirect>'), ['EXO302', 'EXO501']);
    assert.deepEqual(codes('<Play>/audio/a.wav</Play>'), ['EXO301']);
    assert.deepEqual(codes('<Play>/audio/a</Play>'), ['EXO301', 'EXO303']);
    assert.deepEqual(codes('<Play>https://a.example/a.MP3?x=.ogg</Play>'), []);
    assert.deepEqual(codes('<Play>https://a.example/a.ogg</Play>'), ['EXO303']);
    assert.deepEqual(codes('<Gather action="ftp://a.example/g" numDigits="1"><Say>x</Say></Gather>'), ['EXO302']);
  });

  it('Redirect text may be pretty-printed on its own lines', () => {
    assert.deepEqual(validateExoml(`${DECL}<Response>\n  <Redirect>\n    https://a.example/next\n  </Redirect>\n</Response>`).findings, []);
  });

  it('structure: nested Response, verbs in Say, SSML, TwiML and Legs-API names', () => {
    assert.deepEqual(codes('<Response><Hangup/></Response>'), ['EXO105']);
    assert.deepEqual(codes('<Say>Hi <Hangup/></Say>'), ['EXO106']);
    // Exotel documents <say-as> and <break> inside <Say> (once an EXO103 here); other SSML there is EXO109, and
    // SSML outside <Say> is still an unknown element.
    assert.deepEqual(codes('<Say>Hi <break time="1s"/></Say>'), []);
    assert.deepEqual(codes('<Say>Hi <prosody rate="slow">there</prosody></Say>'), ['EXO109']);
    assert.match(only('<break time="1s"/>', 'EXO103').hint ?? '', /SSML/);
    assert.match(only('<Reject/>', 'EXO103').hint ?? '', /Hangup/);
    assert.match(only('<StartPlay>https://a.example/a.wav</StartPlay>', 'EXO103').hint ?? '', /Legs API/);
    assert.deepEqual(codes('<Gather action="https://a.example/g" numDigits="1"><Say>x</Say><Gather action="https://a.example/g" numDigits="1"><Say>y</Say></Gather></Gather>'), ['EXO105']);
    assert.deepEqual(codes('<GATHER/>'), ['EXO102']);
    assert.deepEqual(validateExoml(`${DECL}<response><Hangup/></response>`).findings.map((f) => f.code), ['EXO102']);
  });

  it('--allow-twiml-extras: Pause at the top and inside Gather', () => {
    const body = '<Pause length="1"/><Gather action="https://a.example/g" numDigits="1"><Pause/><Say>x</Say></Gather>';
    assert.deepEqual(codes(body), ['EXO104', 'EXO104']);
    assert.deepEqual(codes(body, { allowTwimlExtras: true }), []);
    assert.deepEqual(codes('<Say>x<Pause/></Say>', { allowTwimlExtras: true }), ['EXO106']);
  });

  it('text: empty Say, 4096 characters counted as code points, placeholders, leaked undefined', () => {
    assert.deepEqual(codes(`<Say>${'𝄞'.repeat(4096)}</Say>`), []);
    assert.deepEqual(codes(`<Say>${'𝄞'.repeat(4097)}</Say>`), ['EXO402']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a JS-style placeholder left in the text is the case under test.
    assert.deepEqual(codes('<Say>Hi ${name}</Say>'), ['EXO403']);
    assert.deepEqual(codes('<Say>Amount: NaN</Say>'), ['EXO404']);
    assert.deepEqual(codes('<Say>[object Object]</Say>'), ['EXO404']);
    assert.deepEqual(codes('<Say><![CDATA[   ]]></Say>'), ['EXO401']);
  });

  it('lint: unreachable verbs counted once; loop="0" is fine inside Gather; empty finishOnKey without numDigits', () => {
    const findings = validateExoml(`${DECL}<Response><Redirect>https://a.example/x</Redirect><Say>a</Say><Say>b</Say></Response>`).findings;
    assert.deepEqual(findings.map((f) => [f.code, f.message]), [['EXO501', '2 verb(s) after <Redirect> on line 2 never run']]);
    assert.deepEqual(codes('<Gather action="https://a.example/g" numDigits="1"><Say loop="0">x</Say></Gather>'), []);
    assert.deepEqual(codes('<Gather action="https://a.example/g" finishOnKey=""><Say>x</Say></Gather>'), ['EXO503']);
    assert.deepEqual(validateExoml(`${DECL}<Response/>`).findings.map((f) => f.code), ['EXO505']);
  });

  it('positions of attributes on continuation lines', () => {
    const findings = validateExoml(`${DECL}<Response>\n  <Say\n      voice="woman"\n      language="english">x</Say>\n<Hangup/></Response>`).findings;
    assert.deepEqual(findings.map((f) => [f.code, f.line, f.column]), [['EXO203', 5, 7]]);
  });
});
