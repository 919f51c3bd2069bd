/**
 * Every ExoML document `serve` returns is clean under --strict: greetings in several languages, a
 * hostile customer name, CustomField, missing fields, each menu branch, the re-prompt and the error paths.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateSurface } from '../../src/exoml/surface.ts';
import { validateExoml } from '../../src/exoml/validate.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const HOSTILE = 'Rao & <Sons> "x"';

describe('the ExoML serve returns is strict-clean', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ baseUrl: 'https://bot.example.in' });
  });
  after(async () => server.close());

  async function fetchExoml(path: string, form?: Record<string, string>) {
    const res = await fetch(`${server.url}${path}`, form ? { method: 'POST', body: new URLSearchParams(form) } : {});
    const body = await res.text();
    const meta = { status: res.status, contentType: res.headers.get('content-type') ?? '' };
    return { status: res.status, body, meta };
  }

  function assertClean(body: string, label: string) {
    const { findings, root } = validateExoml(body);
    assert.deepEqual(
      findings.map((f) => `${f.code}@${f.line}:${f.column} ${f.message}`),
      [],
      `${label}\n${body}`,
    );
    assert.equal(root?.name, 'Response');
    return root;
  }

  const customer = (lang: string, name: string) =>
    new URLSearchParams({
      CallSid: `sid_${lang}_${name.length}`,
      customer_id: `c_${lang}`,
      customer_name: name,
      loan_id: 'LN-42',
      amount: '15000',
      due_date: '2025-08-11',
      language_code: lang,
    }).toString();

  const passthruCases: Array<[string, string]> = [
    ['Hindi (hi-IN)', `/passthru-handler?${customer('hi-IN', 'रिद्धि मित्तल')}`],
    ['Tamil (ta)', `/passthru-handler?${customer('ta', 'கார்த்திக்')}`],
    ['Telugu', `/passthru-handler?${customer('te-IN', 'శ్రీనివాస్')}`],
    ['Kannada', `/passthru-handler?${customer('kn-IN', 'ಅನಿಲ್')}`],
    ['Bengali', `/passthru-handler?${customer('bn-IN', 'সুমিত')}`],
    ['Odia (od-IN)', `/passthru-handler?${customer('od-IN', 'ପ୍ରିୟା')}`],
    ['hostile name', `/passthru-handler?${customer('en-IN', HOSTILE)}`],
    ['hostile name, Marathi', `/passthru-handler?${customer('mr-IN', `${HOSTILE} ]]> <!-- &amp;`)}`],
    ['state only', '/passthru-handler?CallSid=sid_state&customer_id=c9&customer_name=Anu&state=Kerala'],
    [
      'CustomField JSON',
      `/passthru-handler?CallSid=sid_cf&CustomField=${encodeURIComponent(JSON.stringify({ customer_id: 'c1', customer_name: HOSTILE, language_code: 'gu-IN', amount: '999' }))}`,
    ],
    [
      'CustomField k=v|k=v',
      `/passthru-handler?CallSid=sid_cf2&CustomField=${encodeURIComponent('customer_id=c2|customer_name=Jas & Co|language_code=pa-IN')}`,
    ],
    ['no customer fields', '/passthru-handler?CallSid=sid_bare'],
    ['no CallSid at all', '/passthru-handler'],
    ['malformed CustomField', '/passthru-handler?CallSid=sid_badcf&CustomField=%7Bnot-json'],
    ['bad amount and date', '/passthru-handler?CallSid=sid_bad&customer_id=c3&amount=abc&due_date=31-31-2025'],
    ['bad CallSid', '/passthru-handler?CallSid=%3Cscript%3E'],
  ];
  for (const [label, path] of passthruCases) {
    it(`/passthru-handler: ${label}`, async () => {
      const { body, meta } = await fetchExoml(path);
      assertClean(body, label);
      const errorPath = meta.status >= 400;
      const surface = validateSurface(body, { kind: 'exoml', meta });
      assert.deepEqual(
        surface.findings.map((f) => f.code),
        errorPath ? ['EXO701'] : [],
        `${label}: HTTP ${meta.status} ${meta.contentType}`,
      );
    });
  }

  it('/passthru-handler POST form (the developer.exotel.com flavour)', async () => {
    const { body } = await fetchExoml('/passthru-handler', {
      CallSid: 'sid_post',
      customer_id: 'c5',
      customer_name: HOSTILE,
      language_code: 'ml-IN',
    });
    assertClean(body, 'POST');
  });

  describe('/gather-response', () => {
    const sid = 'sid_gather_flow';
    before(async () => {
      await fetchExoml(
        `/passthru-handler?${new URLSearchParams({ CallSid: sid, customer_id: 'cg', customer_name: HOSTILE, language_code: 'hi' })}`,
      );
    });
    const cases: Array<[string, string, Record<string, string> | undefined, string[]]> = [
      [
        'digits "1" (quoted, Passthru) → Dial',
        `/gather-response?CallSid=${sid}&digits=%221%22`,
        undefined,
        ['Say', 'Dial', 'Say', 'Hangup'],
      ],
      [
        'DigitsPressed 2 → goodbye',
        '/gather-response',
        { CallSid: 'sid_g2', DigitsPressed: '2', lang: 'ta' },
        ['Say', 'Hangup'],
      ],
      ['Digits 9 (TwiML) → goodbye', '/gather-response?CallSid=sid_g3&Digits=9&lang=bn', undefined, ['Say', 'Hangup']],
      ['no digits → re-prompt', '/gather-response?CallSid=sid_g4&lang=te&attempt=1', undefined, ['Gather', 'Redirect']],
      ['no digits again → goodbye', '/gather-response?CallSid=sid_g4&lang=te&attempt=2', undefined, ['Say', 'Hangup']],
      [
        'empty DigitsPressed, unknown call, Kannada',
        '/gather-response?CallSid=never-seen&lang=kn&attempt=1',
        { DigitsPressed: '' },
        ['Gather', 'Redirect'],
      ],
      ['digits with letters → 400 ExoML', '/gather-response?CallSid=abc&Digits=1abc', undefined, ['Say', 'Hangup']],
      ['no CallSid → 400 ExoML', '/gather-response?Digits=1', undefined, ['Say', 'Hangup']],
    ];
    for (const [label, path, form, verbs] of cases) {
      it(label, async () => {
        const { body } = await fetchExoml(path, form);
        const root = assertClean(body, label);
        assert.deepEqual(
          root?.children.map((c) => c.name),
          verbs,
          body,
        );
      });
    }

    it('re-prompt twice via the returned action URLs, every step clean', async () => {
      let { body } = await fetchExoml(
        `/passthru-handler?CallSid=sid_loop&customer_id=cl&customer_name=${encodeURIComponent(HOSTILE)}&language_code=kn-IN`,
      );
      for (let step = 0; step < 3; step++) {
        const root = assertClean(body, `step ${step}`);
        const redirect = root?.children.find((c) => c.name === 'Redirect');
        if (!redirect) break;
        const next = new URL(redirect.text.trim());
        ({ body } = await fetchExoml(`${next.pathname}${next.search}`, { DigitsPressed: '' }));
      }
      assert.deepEqual(
        validateExoml(body).root?.children.map((c) => c.name),
        ['Say', 'Hangup'],
      );
    });
  });
});
