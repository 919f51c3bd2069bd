/**
 * The Passthru Exotel sends again on the same CallSid once a Connect or a Voicebot applet has finished
 * (https://support.exotel.com/support/solutions/articles/48283-working-with-passthru-applet for the Connect
 * parameters; https://support.exotel.com/support/solutions/articles/3000132269-working-with-passthru-applet-for-agentstream-beta-
 * for the stream ones, bracketed or as one JSON string) ends the call: no second greeting, the outcome kept,
 * the dial status, duration, recording and stream stored and shown by `inspect call`. On embedded stores always,
 * and on the real Redis + PostgreSQL when they are set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { runCli } from '../support/cli.ts';
import { parseResponse, verbs } from '../support/exoml.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECORDING = 'https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/acme/REC.mp3';

for (const backend of serverBackends('callend')) {
  describe(`end of call on ${backend.name}`, () => {
    const server = useServerOn(backend);

    const get = async (query: string) => {
      const res = await fetch(`${server().url}/passthru-handler?${query}`);
      return { status: res.status, body: await res.text() };
    };
    const sid = (label: string) => `${label}${Date.now().toString(16)}${Math.floor(Math.random() * 1e6)}`;

    /** The first Passthru, then keys 1 (the agent transfer). */
    async function transferred(callSid: string): Promise<void> {
      const first = await get(
        `CallSid=${callSid}&From=09812345678&To=08047112233&customer_id=cust_end&Direction=incoming&CallType=call-attempt&DialCallDuration=0`,
      );
      assert.equal(first.status, 200);
      assert.ok(verbs(parseResponse(first.body)).includes('Gather'), first.body);
      const keys = await fetch(`${server().url}/gather-response?CallSid=${callSid}&digits=%221%22`);
      assert.equal(keys.status, 200);
      await keys.text();
    }

    it('after a Connect: no second greeting, the outcome kept, dial status, duration and recording stored', async () => {
      const callSid = sid('connect');
      await transferred(callSid);
      const legs =
        'Legs%5B0%5D%5BNumber%5D=%2B919812345678&Legs%5B0%5D%5BType%5D=single&Legs%5B0%5D%5BOnCallDuration%5D=21&Legs%5B0%5D%5BCauseCode%5D=NORMAL_CLEARING&Legs%5B0%5D%5BCause%5D=16';
      const again = await get(
        `CallSid=${callSid}&From=09812345678&To=08047112233&CallType=completed&DialCallStatus=completed&DialCallDuration=21&RecordingUrl=${encodeURIComponent(RECORDING)}&${legs}`,
      );
      assert.equal(again.status, 200);
      assert.deepEqual(verbs(parseResponse(again.body)), ['Hangup']);
      const session = await server().sessions.get(callSid);
      assert.equal(session?.outcome, 'agent_transfer');
      assert.equal(session?.state, 'ended');
      const row = await server().history.getCall(callSid);
      assert.equal(row?.status, 'ended');
      assert.equal(row?.outcome, 'agent_transfer');
      assert.equal(row?.dial_call_status, 'completed');
      assert.equal(row?.dial_call_duration, 21);
      assert.equal(row?.recording_url, RECORDING);
      assert.notEqual(row?.ended_at, null);
      assert.equal(row?.exotel_params.CallType, 'call-attempt', 'the first request stays the call record');
      const events = await server().history.listEvents(callSid);
      assert.deepEqual(
        events.map((e) => e.kind),
        ['passthru', 'gather', 'passthru-end'],
      );
      assert.deepEqual((events[2]?.detail.legs as unknown[] | undefined)?.[0], {
        Number: '+919812345678',
        Type: 'single',
        OnCallDuration: '21',
        CauseCode: 'NORMAL_CLEARING',
        Cause: '16',
      });

      const shown = await runCli(
        ['inspect', 'call', callSid, '--server', server().url, '--admin-token', server().adminToken],
        { cwd: ROOT, env: {} },
      );
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /dial status\s+completed/);
      assert.match(shown.stdout, /dial duration\s+21 s/);
      assert.ok(shown.stdout.includes(RECORDING), shown.stdout);
    });

    it('after a Voicebot, Stream[…] keys: the stream details stored', async () => {
      const callSid = sid('streamkeys');
      await transferred(callSid);
      const stream = {
        StreamSID: 'stream_1',
        Status: 'completed',
        Duration: '28',
        RecordingUrl: RECORDING,
        DisconnectedBy: 'bot',
      };
      const query = Object.entries(stream)
        .map(([k, v]) => `${encodeURIComponent(`Stream[${k}]`)}=${encodeURIComponent(v)}`)
        .join('&');
      const again = await get(`CallSid=${callSid}&flow_id=123&Direction=inbound&From=+918888000000&${query}`);
      assert.deepEqual(verbs(parseResponse(again.body)), ['Hangup']);
      const row = await server().history.getCall(callSid);
      assert.deepEqual(row?.stream, stream);
      assert.equal(row?.recording_url, RECORDING);
      assert.equal(row?.dial_call_duration, 28);
      assert.equal(row?.outcome, 'agent_transfer');
      const shown = await runCli(
        ['inspect', 'call', callSid, '--server', server().url, '--admin-token', server().adminToken],
        { cwd: ROOT, env: {} },
      );
      assert.match(shown.stdout, /stream DisconnectedBy\s+bot/);
      assert.ok(shown.stdout.includes(RECORDING), shown.stdout);
    });

    it('after a Voicebot, Stream={json}: the same details', async () => {
      const callSid = sid('streamjson');
      await transferred(callSid);
      const stream = {
        StreamSID: 'stream_2',
        Status: 'completed',
        Duration: 12,
        RecordingUrl: RECORDING,
        DisconnectedBy: 'user',
      };
      const again = await get(`CallSid=${callSid}&Stream=${encodeURIComponent(JSON.stringify(stream))}`);
      assert.deepEqual(verbs(parseResponse(again.body)), ['Hangup']);
      const row = await server().history.getCall(callSid);
      assert.deepEqual(row?.stream, { ...stream, Duration: '12' });
      assert.equal(row?.dial_call_duration, 12);
      assert.equal(row?.recording_url, RECORDING);
    });

    it('a first Passthru with From=+91… sent unencoded stores +91…, not " 91…"', async () => {
      const callSid = sid('plus');
      const first = await get(`CallSid=${callSid}&From=+918888000000&To=+918047112233&customer_id=cust_plus`);
      assert.equal(first.status, 200);
      assert.equal((await server().sessions.get(callSid))?.from, '+918888000000');
      const row = await server().history.getCall(callSid);
      assert.equal(row?.exotel_params.From, '+918888000000');
      assert.equal(row?.exotel_params.To, '+918047112233');
      assert.equal((await server().history.getCustomer('cust_plus'))?.phone, '+918888000000');
    });
  });
}
