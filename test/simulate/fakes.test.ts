/**
 * `simulate` against small fake webhooks written the way other implementations answer: relative actions and
 * `voice="female"`, a 500, one that never answers, a Redirect loop, a 302, a plain "OK", a Dial with action.
 * Each ends with a clear outcome, never a crash.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { pathOf, startFake, xml, type Fake } from '../support/fake-webhook.ts';

type Doc = {
  callSid: string;
  steps: Array<{ request: { method: string; url: string; params: Record<string, string> }; response: { status: number } | null; error?: string; findings: Array<{ code: string; severity: string }> }>;
  outcome: { kind: string; number?: string; reason?: string };
  expectations: Array<{ expect: string; ok: boolean }>;
};

const fakes: Fake[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function fake(handler: Parameters<typeof startFake>[0]): Promise<Fake> {
  const f = await startFake(handler);
  fakes.push(f);
  return f;
}

async function simulate(url: string, ...args: string[]) {
  const res = await runCli(['--json', 'simulate', url, ...args]);
  assert.ok(res.stdout.trim().startsWith('{'), `JSON on stdout:\n${res.stdout}\n${res.stderr}`);
  return { ...res, doc: JSON.parse(res.stdout) as Doc };
}

const codes = (doc: Doc) => doc.steps.flatMap((s) => s.findings.map((f) => f.code));

describe('simulate against fake webhooks', () => {
  it('relative action + voice="female" (a Flask-style bot): completes, and the error finding fails it (exit 1)', async () => {
    const bot = await fake((req, res) => {
      if (pathOf(req) === '/voice') {
        xml(res, '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say voice="female">Welcome to Acme</Say>\n  <Gather action="/handle-key" numDigits="1" timeout="5">\n    <Say voice="female">Press 1 for sales</Say>\n  </Gather>\n</Response>');
      } else {
        xml(res, `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say voice="female">You pressed ${req.form.get('DigitsPressed')}</Say><Dial callerId="08047112233">+919800000001</Dial></Response>`);
      }
    });
    const { code, doc, stderr } = await simulate(`${bot.url}/voice`, '--digits', '1');
    assert.equal(code, 1, 'an error-severity finding fails simulate as it fails validate');
    assert.match(stderr, /error finding\(s\)/);
    assert.deepEqual(doc.outcome.kind, 'dial');
    assert.equal(doc.outcome.number, '+919800000001');
    assert.ok(codes(doc).includes('EXO202'), `voice="female" reported: ${codes(doc).join(',')}`);
    assert.ok(codes(doc).includes('EXO301'), 'relative URL reported');
    const [, second] = bot.requests;
    assert.equal(second?.method, 'POST');
    assert.equal(second && pathOf(second), '/handle-key', 'resolved against the request URL');
    assert.equal(second?.form.get('DigitsPressed'), '1');
    assert.equal(second?.form.get('CallSid'), doc.callSid);

    const strict = await runCli(['simulate', `${bot.url}/voice`, '--digits', '1', '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /⚠ error EXO202/);
    assert.match(strict.stdout, /relative Gather action URL "\/handle-key" resolved against the request URL/);
    assert.match(strict.stderr, /\d+ error finding\(s\).*; exit 1/);
  });

  it('a 500: outcome error naming the status, exit 1', async () => {
    const bot = await fake((_req, res) => xml(res, 'Traceback (most recent call last): KeyError', 500, 'text/plain'));
    const { code, doc } = await simulate(bot.url, '--digits', '1');
    assert.equal(code, 1);
    assert.equal(doc.outcome.kind, 'error');
    assert.match(doc.outcome.reason ?? '', /^HTTP 500 Internal Server Error \(body: "Traceback.*KeyError"\)/);
    assert.ok(codes(doc).includes('EXO701'));
  });

  it('never answers: the timeout ends the call with a clear reason, exit 3 (a silent server)', async () => {
    const bot = await fake(() => {});
    const { code, doc } = await simulate(bot.url, '--digits', '1', '--timeout', '150');
    assert.equal(code, 3);
    assert.equal(doc.outcome.kind, 'error');
    assert.match(doc.outcome.reason ?? '', /no complete answer within 150 ms \(--timeout\)/);
    assert.equal(doc.steps[0]?.response, null);
    assert.equal(bot.requests.length, 1);
  });

  it('a Redirect loop: stopped by the loop guard after --max-steps requests', async () => {
    const bot = await fake((_req, res) => xml(res, '<?xml version="1.0" encoding="UTF-8"?><Response><Redirect method="POST">/again</Redirect></Response>'));
    const { code, doc } = await simulate(`${bot.url}/start`, '--max-steps', '5');
    assert.equal(code, 1);
    assert.equal(doc.outcome.kind, 'error');
    assert.match(doc.outcome.reason ?? '', /loop guard: 5 requests without reaching Hangup or a Dial/);
    assert.equal(bot.requests.length, 5);
    assert.deepEqual(bot.requests.slice(1).map((r) => `${r.method} ${pathOf(r)}`), Array(4).fill('POST /again'));
  });

  it('a 302: reported as the Passthru branch signal, not followed', async () => {
    const bot = await fake((_req, res) => {
      res.writeHead(302, { location: `/elsewhere` });
      res.end();
    });
    const { code, doc } = await simulate(bot.url, '--digits', '1');
    assert.equal(code, 1);
    assert.match(doc.outcome.reason ?? '', /^HTTP 302 Found to \/elsewhere: not followed.*branch signal/);
    assert.deepEqual(bot.requests.map(pathOf), ['/'], 'Location not requested');
    assert.ok(codes(doc).includes('EXO702'));
  });

  it('a plain "OK" (an App Bazaar Passthru answer): not ExoML, outcome error', async () => {
    const bot = await fake((_req, res) => xml(res, 'OK', 200, 'text/plain'));
    const { code, doc } = await simulate(bot.url, '--digits', '1');
    assert.equal(code, 1);
    assert.match(doc.outcome.reason ?? '', /the response is not ExoML: .*\(Content-Type text\/plain; got "OK"\)/);
  });

  it('Dial with action is followed with DialCallStatus; a Gather that times out at the end is outcome no-input', async () => {
    const bot = await fake((req, res) => {
      const path = pathOf(req);
      if (path === '/') xml(res, '<Response><Dial action="/after-dial" callerId="08047112233">09800000001</Dial></Response>');
      else xml(res, `<Response><Say>Call ended: ${req.form.get('DialCallStatus')}</Say><Gather numDigits="1" action="/rate"><Say>Rate us</Say></Gather></Response>`);
    });
    const { code, doc } = await simulate(bot.url, '--no-input', '--expect', 'dial:+919800000001', '--expect', 'no-input', '--expect', 'say:call ended: completed');
    assert.equal(code, 0, JSON.stringify(doc.expectations));
    assert.equal(doc.outcome.kind, 'no-input');
    assert.equal(bot.requests[1]?.form.get('DialCallStatus'), 'completed');
    assert.equal(bot.requests[1]?.form.get('DialCallDuration'), '30');
    assert.ok(doc.expectations.every((e) => e.ok));
  });

  it('on the wire: digits="1" (GET, quoted, every call parameter) and Digits, the URL query and key kept', async () => {
    const bot = await fake((req, res) => {
      if (pathOf(req) === '/p') xml(res, '<Response><Gather action="/g?step=2" numDigits="2"><Say>Two keys</Say></Gather></Response>');
      else xml(res, '<Response><Hangup/></Response>');
    });
    const passthru = await simulate(`${bot.url}/p?step=1`, '--digits', '12#', '--digit-param', 'digits', '--key', 'k3y');
    assert.equal(passthru.code, 0);
    const [first, second] = bot.requests;
    assert.equal(first?.query.get('step'), '1');
    assert.equal(first?.query.get('key'), 'k3y');
    assert.equal(second?.method, 'GET');
    assert.equal(second?.query.get('step'), '2');
    assert.match(second?.url ?? '', /digits=%2212%22/);
    assert.equal(second?.query.get('digits'), '"12"');
    assert.equal(second?.query.get('Direction'), 'outbound-dial');
    assert.equal(second?.query.get('CallSid'), passthru.doc.callSid);

    const twiml = await simulate(`${bot.url}/p`, '--digits', '34', '--digit-param', 'Digits', '--method', 'POST');
    assert.equal(twiml.code, 0);
    const [p, g] = bot.requests.slice(2);
    assert.equal(p?.method, 'POST');
    // Most Passthru captures carry no CallStatus (it once sent in-progress); the ExoML action does (§5.2).
    assert.equal(p?.form.get('CallStatus'), null);
    assert.equal(g?.form.get('CallStatus'), 'in-progress');
    assert.equal(g?.form.get('Digits'), '34');
    assert.equal(g?.form.get('DigitsPressed'), null);
  });
});
