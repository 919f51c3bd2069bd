import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { find, parseResponse, verbs } from '../support/exoml.ts';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { AGENT, EXOPHONE } from '../support/server.ts';

/** The whole suite runs on embedded stores always, and on the real Redis + PostgreSQL when CI sets them. */
const backends = serverBackends('webhooks');

for (const backend of backends) {
  describe(`webhooks on ${backend.name}`, () => {
    const server = useServerOn(backend);

    async function get(path: string) {
      const res = await fetch(`${server().url}${path}`);
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    }

    async function post(path: string, form: Record<string, string>) {
      const res = await fetch(`${server().url}${path}`, { method: 'POST', body: new URLSearchParams(form) });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    }

    const COMPAT_PASSTHRU =
      '/passthru-handler?customer_id=cust_123&customer_name=Riddhi+Mittal&loan_id=LOAN12345&amount=15000&due_date=2025-08-11&language_code=hi-IN&state=Uttar+Pradesh&CallSid=test_call_123&From=%2B917417119014&To=04446972509&CallStatus=initiated';

    describe('compatibility with the public FastAPI client', () => {
      it('greets Riddhi Mittal in Hindi with an absolute Gather action', async () => {
        const res = await get(COMPAT_PASSTHRU);
        assert.equal(res.status, 200);
        assert.match(res.type, /^text\/xml/);
        const root = parseResponse(res.body);
        assert.deepEqual(verbs(root), ['Say', 'Say', 'Say', 'Gather', 'Redirect']);
        const [greeting, reminder, due] = root.children;
        assert.equal(greeting?.attrs.language, 'hi');
        assert.equal(greeting?.attrs.voice, 'woman');
        assert.match(greeting?.text ?? '', /Riddhi Mittal/);
        assert.match(greeting?.text ?? '', /नमस्ते/);
        assert.match(reminder?.text ?? '', /LOAN12345/);
        assert.match(reminder?.text ?? '', /15,000/);
        assert.match(due?.text ?? '', /2025/);
        const gather = find(root, 'Gather')[0];
        assert.ok(gather);
        assert.equal(gather.attrs.numDigits, '1');
        assert.equal(gather.attrs.timeout, '10');
        const action = new URL(gather.attrs.action ?? '');
        assert.equal(action.origin, server().url);
        assert.equal(action.pathname, '/gather-response');
        assert.equal(action.searchParams.get('CallSid'), 'test_call_123');
        assert.equal(gather.children[0]?.name, 'Say');
        assert.match(gather.children[0]?.text ?? '', /1/);
      });

      it('transfers to the agent on Digits=1', async () => {
        const res = await get('/gather-response?call_sid=test_call_123&customer_id=cust_123&Digits=1');
        assert.equal(res.status, 200);
        const root = parseResponse(res.body);
        const dial = find(root, 'Dial')[0];
        assert.ok(dial, res.body);
        assert.equal(dial.attrs.callerId, EXOPHONE);
        assert.equal(dial.attrs.timeout, '30');
        assert.deepEqual(
          find(dial, 'Number').map((n) => n.text),
          [AGENT],
        );
        assert.deepEqual(verbs(root), ['Say', 'Dial', 'Say', 'Hangup']);
        assert.equal(root.children[0]?.attrs.language, 'hi', 'language kept from the session');
        const session = await server().sessions.get('test_call_123');
        assert.equal(session?.digits, '1');
        assert.equal(session?.outcome, 'agent_transfer');
        const row = await server().history.getCall('test_call_123');
        assert.equal(row?.digits, '1');
        assert.equal(row?.outcome, 'agent_transfer');
        assert.equal(row?.agent_number, AGENT);
        assert.equal(row?.customer_id, 'cust_123');
        const customer = await server().history.getCustomer('cust_123');
        assert.equal(customer?.name, 'Riddhi Mittal');
        assert.equal(customer?.phone, '+917417119014');
        const events = await server().history.listEvents('test_call_123');
        assert.deepEqual(
          events.map((e) => e.kind),
          ['passthru', 'gather'],
        );
      });
    });

    describe('digit sources', () => {
      const cases: Array<{
        name: string;
        send: (sid: string) => Promise<{ status: number; body: string }>;
        digit: string;
        source: string;
      }> = [
        {
          name: 'Passthru digits="1" (quoted, GET)',
          send: (sid) => get(`/gather-response?CallSid=${sid}&digits=%221%22`),
          digit: '1',
          source: 'digits',
        },
        {
          name: 'ExoML Gather DigitsPressed=1 (POST form)',
          send: (sid) => post('/gather-response', { CallSid: sid, DigitsPressed: '1' }),
          digit: '1',
          source: 'DigitsPressed',
        },
        {
          name: 'TwiML Digits=1 (POST form)',
          send: (sid) => post('/gather-response', { CallSid: sid, Digits: '1' }),
          digit: '1',
          source: 'Digits',
        },
        {
          name: 'Passthru digits="2" → goodbye',
          send: (sid) => get(`/gather-response?CallSid=${sid}&digits=%222%22`),
          digit: '2',
          source: 'digits',
        },
      ];
      for (const [i, c] of cases.entries()) {
        it(c.name, async () => {
          const sid = `digitcase${i}${Date.now()}`;
          await get(`/passthru-handler?CallSid=${sid}&customer_id=dc${i}&customer_name=Asha&state=Tamil+Nadu`);
          const res = await c.send(sid);
          assert.equal(res.status, 200);
          const root = parseResponse(res.body);
          if (c.digit === '1') {
            assert.equal(find(root, 'Dial').length, 1, res.body);
            assert.equal(root.children[0]?.attrs.language, 'ta');
          } else {
            assert.deepEqual(verbs(root), ['Say', 'Hangup']);
          }
          const session = await server().sessions.get(sid);
          assert.equal(session?.digits, c.digit);
          assert.equal(session?.digitSource, c.source);
          const row = await server().history.getCall(sid);
          assert.equal(row?.digits, c.digit);
          assert.equal(row?.outcome, c.digit === '1' ? 'agent_transfer' : 'declined');
        });
      }

      it('no input: re-prompts once, then says goodbye', async () => {
        const sid = `noinput${Date.now()}`;
        const first = parseResponse(
          (await get(`/passthru-handler?CallSid=${sid}&customer_id=ni1&language_code=te`)).body,
        );
        const redirect = first.children.at(-1);
        assert.equal(redirect?.name, 'Redirect');
        const again = await post(new URL(redirect?.text ?? '').pathname + new URL(redirect?.text ?? '').search, {});
        assert.equal(again.status, 200);
        const reprompt = parseResponse(again.body);
        assert.deepEqual(verbs(reprompt), ['Gather', 'Redirect']);
        assert.equal(find(reprompt, 'Say')[0]?.attrs.language, 'te');
        assert.equal((await server().sessions.get(sid))?.state, 'reprompted');
        const last = await post('/gather-response', { CallSid: sid, DigitsPressed: '' });
        const bye = parseResponse(last.body);
        assert.deepEqual(verbs(bye), ['Say', 'Hangup']);
        const row = await server().history.getCall(sid);
        assert.equal(row?.outcome, 'no_input');
        assert.equal(row?.digits, null);
        assert.ok(row?.ended_at);
      });
    });

    describe('hostile values round-trip through the XML parser intact', () => {
      const names = [
        'Rao & <Sons>',
        'राहुल "राजू" शर्मा',
        "முருகன் O'Brien",
        '</Say><Dial><Number>+919999999999</Number></Dial><Say>',
        'A\u0000B\u0007C',
      ];
      for (const name of names) {
        it(JSON.stringify(name), async () => {
          const sid = `hostile${Math.random().toString(36).slice(2, 10)}`;
          const q = new URLSearchParams({
            CallSid: sid,
            customer_id: `h-${sid}`,
            customer_name: name,
            loan_id: 'L"1\'<2>',
            amount: '100',
            language_code: 'en',
          });
          const res = await get(`/passthru-handler?${q}`);
          assert.equal(res.status, 200);
          const root = parseResponse(res.body);
          assert.equal(find(root, 'Dial').length, 0, 'no injected verb');
          assert.ok(root.children[0]?.text.includes(name.replace(/[\u0000-\u0008]/g, '')), root.children[0]?.text);
          assert.ok(root.children[1]?.text.includes('L"1\'<2>'));
        });
      }

      it('escapes quotes in attribute values (CallSid cannot break the action URL)', async () => {
        const res = await get('/passthru-handler?CallSid=abc&customer_id=x%22%27%3C&language_code=en');
        const root = parseResponse(res.body);
        const action = new URL(find(root, 'Gather')[0]?.attrs.action ?? '');
        assert.equal(action.searchParams.get('customer_id'), 'x"\'<');
      });
    });

    describe('bad input', () => {
      it('no CallSid → 400 with well-formed ExoML', async () => {
        const res = await get('/passthru-handler?customer_id=c1');
        assert.equal(res.status, 400);
        assert.deepEqual(verbs(parseResponse(res.body)), ['Say', 'Hangup']);
      });

      it('an unusable CallSid → 400', async () => {
        const res = await get(`/passthru-handler?CallSid=${encodeURIComponent('a b<c>')}`);
        assert.equal(res.status, 400);
        parseResponse(res.body);
      });

      it('bad amount and unknown language: still greets, in English, without the amount', async () => {
        const res = await get(
          '/passthru-handler?CallSid=badamt1&customer_id=ba1&customer_name=Ravi&loan_id=L9&amount=15%2C000%2Fabc&language_code=xx-YY',
        );
        assert.equal(res.status, 200);
        const root = parseResponse(res.body);
        assert.equal(root.children[0]?.attrs.language, 'en');
        assert.ok(!root.children.some((c) => c.text.includes('rupees')));
        assert.ok(server().logs.some((l) => l.includes('amount') && l.includes('CallSid=badamt1')));
      });

      it('a name without customer_id: greeted by name, not stored under a customer, and the warning says so', async () => {
        const res = await get('/passthru-handler?CallSid=noid1&customer_name=Asha%20Verma&amount=100');
        assert.equal(res.status, 200);
        const root = parseResponse(res.body);
        assert.match(root.children[0]?.text ?? '', /Hello Asha Verma/);
        assert.ok(
          root.children.some((c) => c.text.includes('100 rupees')),
          res.body,
        );
        const line = server().logs.find((l) => l.includes('CallSid=noid1')) ?? '';
        assert.match(line, /no customer_id: .*greeting.*not stored under a customer/);
        assert.equal((await server().sessions.get('noid1'))?.customer, undefined);
      });

      it('state alias picks the language when language_code is absent', async () => {
        const res = await get('/passthru-handler?CallSid=alias1&customer_id=al1&state=Orissa');
        assert.equal(parseResponse(res.body).children[0]?.attrs.language, 'or');
      });

      it('CustomField (JSON and k=v|k=v) carries the customer', async () => {
        const json = JSON.stringify({
          customer_id: 'cf1',
          customer_name: 'Meena Iyer',
          language_code: 'ta-IN',
          amount: '2500',
        });
        const a = parseResponse(
          (await get(`/passthru-handler?CallSid=cf1&CustomField=${encodeURIComponent(json)}`)).body,
        );
        assert.match(a.children[0]?.text ?? '', /Meena Iyer/);
        assert.equal(a.children[0]?.attrs.language, 'ta');
        const pipe = 'customer_id=cf2|customer_name=Arjun%7CK|state=Kerala';
        const b = parseResponse(
          (await get(`/passthru-handler?CallSid=cf2&CustomField=${encodeURIComponent(pipe)}`)).body,
        );
        assert.match(b.children[0]?.text ?? '', /Arjun\|K/);
        assert.equal(b.children[0]?.attrs.language, 'ml');
      });

      it('malformed CustomField is logged, the call still greets', async () => {
        const res = await get('/passthru-handler?CallSid=cfbad&CustomField=%7Bnot-json');
        assert.equal(res.status, 200);
        parseResponse(res.body);
        assert.ok(server().logs.some((l) => l.includes('CallSid=cfbad') && l.includes('JSON')));
      });

      it('digits with letters → 400 ExoML', async () => {
        const res = await get('/gather-response?CallSid=abc&Digits=1abc');
        assert.equal(res.status, 400);
        parseResponse(res.body);
      });

      it('malformed JSON body on a webhook → 400 ExoML, not a stack trace', async () => {
        const res = await fetch(`${server().url}/passthru-handler`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"CallSid":',
        });
        assert.equal(res.status, 400);
        const body = await res.text();
        parseResponse(body);
        assert.doesNotMatch(body, /at .*\.ts:\d+/);
      });

      it('gather-response for an unknown call uses the action URL state', async () => {
        const res = await post('/gather-response?CallSid=never-seen&lang=kn&attempt=1', { DigitsPressed: '' });
        const root = parseResponse(res.body);
        assert.deepEqual(verbs(root), ['Gather', 'Redirect']);
        assert.equal(find(root, 'Say')[0]?.attrs.language, 'kn');
      });

      it('unknown route → 404 JSON', async () => {
        const res = await get('/nope');
        assert.equal(res.status, 404);
      });
    });

    describe('logging', () => {
      it('one line per request with method, path, status, ms, CallSid — phone numbers masked', async () => {
        await get('/passthru-handler?CallSid=logcheck1&customer_id=lg1&phone=9876543210&From=%2B919876543210');
        const line = server().logs.find((l) => l.includes('CallSid=logcheck1'));
        assert.ok(line);
        assert.match(line, /^GET \/passthru-handler 200 \d+\.\dms CallSid=logcheck1/);
        assert.ok(server().logs.every((l) => !l.includes('9876543210')));
      });

      it('the path as requested, mount point included: /admin/sessions, not /sessions', async () => {
        const res = await fetch(`${server().url}/admin/sessions?limit=1`);
        await res.arrayBuffer();
        const deadline = Date.now() + 2000;
        while (!server().logs.some((l) => l.includes('/sessions')) && Date.now() < deadline)
          await new Promise((r) => setImmediate(r));
        const line = server().logs.find((l) => l.includes('/sessions'));
        assert.match(line ?? '', new RegExp(`^GET /admin/sessions ${res.status} `));
      });
    });
  });
}
