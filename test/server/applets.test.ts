/**
 * The App Bazaar applet endpoints (docs/exotel-protocol.md §1.4, §2, §3, §4, §6.2): status codes, content types,
 * every JSON and text answer passing the project's own validators, one session per CallSid across applets, the
 * Passthru after a Connect, and the StatusCallback's idempotency. On embedded stores always, and on the real
 * Redis + PostgreSQL when they are set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJsonSurface, type JsonKind } from '../../src/exoml/json-surfaces.ts';
import { serverBackends, useServerOn } from '../support/backends.ts';

const CUSTOM_FIELD = JSON.stringify({
  customer_id: 'cust_applet',
  customer_name: 'Asha',
  language_code: 'hi',
  loan_id: 'LN42',
  amount: '1500',
});
const RECORDING = 'https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/acme/REC.mp3';
const V1 = { 'Exotel-Version': '1.0' };

function errorsOf(
  kind: JsonKind,
  body: string,
  meta: { status: number; contentType: string | undefined; head?: { status: number; contentType: string | undefined } },
) {
  return validateJsonSurface(kind, body, {
    status: meta.status,
    contentType: meta.contentType,
    ...(meta.head ? { head: meta.head } : {}),
  }).filter((f) => f.severity === 'error');
}

for (const backend of serverBackends('applets')) {
  describe(`applet endpoints on ${backend.name}`, () => {
    const server = useServerOn(backend);

    const sid = (label: string) => `${label}${Date.now().toString(16)}${Math.floor(Math.random() * 1e6)}`;
    const query = (callSid: string, extra = '') =>
      `CallSid=${callSid}&From=09812345678&To=08047112233&Direction=outbound-dial&CustomField=${encodeURIComponent(CUSTOM_FIELD)}${extra}`;
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${server().url}${path}`, { redirect: 'manual', ...init });
      return {
        status: res.status,
        contentType: res.headers.get('content-type') ?? undefined,
        length: res.headers.get('content-length'),
        body: await res.text(),
      };
    };

    it('Greeting: exactly text/plain in the customer language, HEAD with the same headers', async () => {
      const callSid = sid('greet');
      const head = await get(`/exotel/greeting?${query(callSid)}`, { method: 'HEAD' });
      const res = await get(`/exotel/greeting?${query(callSid)}`);
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'text/plain');
      assert.equal(head.body, '');
      assert.equal(head.length, res.length);
      assert.match(res.body, /Asha/);
      assert.match(res.body, /[\u0900-\u097F]/, 'Hindi text for language_code hi');
      assert.deepEqual(errorsOf('greeting', res.body, { ...res, head }), []);
      const session = await server().sessions.get(callSid);
      assert.equal(session?.customer?.customer_id, 'cust_applet');
    });

    it('Gather: valid Gather JSON in the customer language; another Exotel-Version is refused, none is answered', async () => {
      const callSid = sid('gather');
      const res = await get(`/exotel/gather?${query(callSid)}`, { headers: V1 });
      assert.equal(res.status, 200);
      assert.match(res.contentType ?? '', /^application\/json/);
      assert.deepEqual(errorsOf('gather-json', res.body, res), []);
      const json = JSON.parse(res.body) as Record<string, unknown>;
      assert.equal(json.max_input_digits, 1);
      assert.equal(json.finish_on_key, '#');
      assert.match(JSON.stringify(json.gather_prompt), /[\u0900-\u097F]/);
      const none = await get(`/exotel/gather?${query(callSid)}`);
      assert.equal(none.status, 200);
      const other = await get(`/exotel/gather?${query(callSid)}`, { headers: { 'Exotel-Version': '2.0' } });
      assert.equal(other.status, 400);
      const noSid = await get('/exotel/gather', { headers: V1 });
      assert.equal(noSid.status, 400);
    });

    it('Connect: valid Connect JSON dialling the agent from the ExoPhone in E.164', async () => {
      const callSid = sid('connect');
      const res = await get(`/exotel/connect?${query(callSid)}`, { headers: V1 });
      assert.equal(res.status, 200);
      assert.deepEqual(errorsOf('connect-json', res.body, res), []);
      const json = JSON.parse(res.body) as {
        destination: { numbers: string[] };
        outgoing_phone_number: string;
        record: boolean;
      };
      assert.deepEqual(json.destination.numbers, ['+919812345678']);
      assert.equal(json.outgoing_phone_number, '+918047112233');
      assert.equal(json.record, true);
    });

    it('Passthru: digit "1" → 200, another key → 302, empty → 302 no input, no digits → 302 without an outcome', async () => {
      const cases: Array<{ digits: string | undefined; status: number; outcome: string | null; state: string }> = [
        { digits: '%221%22', status: 200, outcome: 'agent_transfer', state: 'transferring' },
        { digits: '%222%22', status: 302, outcome: 'declined', state: 'ended' },
        { digits: '%22%22', status: 302, outcome: 'no_input', state: 'ended' },
        { digits: undefined, status: 302, outcome: null, state: 'greeted' },
      ];
      for (const c of cases) {
        const callSid = sid('pt');
        const res = await get(
          `/exotel/passthru?${query(callSid, c.digits === undefined ? '' : `&digits=${c.digits}`)}`,
        );
        assert.equal(res.status, c.status, c.digits);
        assert.match(res.contentType ?? '', /^text\/plain/);
        assert.ok(res.body.length < 20);
        const row = await server().history.getCall(callSid);
        assert.equal(row?.outcome ?? null, c.outcome, c.digits);
        assert.equal(row?.customer_id, 'cust_applet');
        assert.equal((await server().sessions.get(callSid))?.state, c.state);
      }
    });

    it('a Passthru after the Connect updates the call instead of starting it again', async () => {
      const callSid = sid('after');
      await get(`/exotel/greeting?${query(callSid)}`);
      assert.equal((await get(`/exotel/passthru?${query(callSid, '&digits=%221%22')}`)).status, 200);
      await get(`/exotel/connect?${query(callSid)}`, { headers: V1 });
      const legs = '&Legs%5B0%5D%5BNumber%5D=%2B919812345678&Legs%5B0%5D%5BOnCallDuration%5D=21';
      const end = await get(
        `/exotel/passthru?${query(callSid, `&CallType=completed&DialCallStatus=completed&DialCallDuration=21&RecordingUrl=${encodeURIComponent(RECORDING)}${legs}`)}`,
      );
      assert.equal(end.status, 200);
      const row = await server().history.getCall(callSid);
      assert.equal(row?.outcome, 'agent_transfer');
      assert.equal(row?.dial_call_status, 'completed');
      assert.equal(row?.dial_call_duration, 21);
      assert.equal(row?.recording_url, RECORDING);
      assert.deepEqual(row?.legs, [{ Number: '+919812345678', OnCallDuration: '21' }]);
      const kinds = (await server().history.listEvents(callSid)).map((e) => e.kind);
      assert.deepEqual(kinds, ['applet-greeting', 'applet-passthru', 'applet-connect', 'applet-passthru-end']);
    });

    it('StatusCallback: the same callback three times (multipart) → one event; fills end, duration, status, recording, legs', async () => {
      const callSid = sid('scb');
      await get(`/exotel/passthru?${query(callSid, '&digits=%221%22')}`);
      const post = () => {
        const form = new FormData();
        form.set('CallSid', callSid);
        form.set('Status', 'completed');
        form.set('EventType', 'terminal');
        form.set('RecordingUrl', RECORDING);
        form.set('ConversationDuration', '42');
        form.set('EndTime', '2025-08-11 10:05:00');
        form.set('Legs[0][OnCallDuration]', '40');
        form.set('Legs[0][Status]', 'completed');
        return fetch(`${server().url}/exotel/status-callback`, { method: 'POST', body: form });
      };
      for (let i = 0; i < 3; i++) {
        const res = await post();
        assert.equal(res.status, 200);
        await res.text();
      }
      const events = (await server().history.listEvents(callSid)).filter((e) => e.kind === 'status-callback');
      assert.equal(events.length, 1);
      const row = await server().history.getCall(callSid);
      assert.equal(row?.final_status, 'completed');
      assert.equal(row?.duration, 42);
      assert.equal(row?.recording_url, RECORDING);
      assert.equal(row?.ended_at, '2025-08-11T04:35:00.000Z');
      assert.deepEqual(row?.legs, [{ OnCallDuration: '40', Status: 'completed' }]);
      assert.equal((await server().sessions.get(callSid))?.state, 'ended');
    });

    it('StatusCallback: urlencoded and JSON bodies; without CallSid or Status → 400', async () => {
      const a = sid('scbu');
      const form = await fetch(`${server().url}/exotel/status-callback`, {
        method: 'POST',
        body: new URLSearchParams({ CallSid: a, Status: 'no-answer' }),
      });
      assert.equal(form.status, 200);
      await form.text();
      const b = sid('scbj');
      const body = JSON.stringify({ CallSid: b, Status: 'busy', Legs: [{ OnCallDuration: 0, Status: 'busy' }] });
      for (let i = 0; i < 2; i++) {
        const json = await fetch(`${server().url}/exotel/status-callback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        assert.equal(json.status, 200);
        await json.text();
      }
      assert.equal((await server().history.getCall(a))?.final_status, 'no-answer');
      const rowB = await server().history.getCall(b);
      assert.equal(rowB?.final_status, 'busy');
      assert.deepEqual(rowB?.legs, [{ OnCallDuration: '0', Status: 'busy' }]);
      assert.equal((await server().history.listEvents(b)).length, 1);
      const bad = await fetch(`${server().url}/exotel/status-callback`, {
        method: 'POST',
        body: new URLSearchParams({ CallSid: a }),
      });
      assert.equal(bad.status, 400);
      await bad.text();
    });
  });
}
