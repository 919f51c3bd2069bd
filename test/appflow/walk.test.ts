/**
 * walkFlow against small real HTTP fakes: Gather JSON settings end the keys (max_input_digits, finish_on_key),
 * the keys ride on later requests quoted, a recorded Connect gives the Passthru after it a RecordingUrl, a
 * Gather answer Exotel would refuse ends the call, and the StatusCallback carries the call's end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppletFlow } from '../../src/appflow/types.ts';
import { walkFlow } from '../../src/appflow/walk.ts';
import { pathOf, startFake, type Fake } from '../support/fake-webhook.ts';
import { closedPort } from '../support/services.ts';

const json = (body: unknown) => JSON.stringify(body);
let fake: Fake;
before(async () => {
  fake = await startFake((req, res) => {
    const path = pathOf(req);
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/gather')
      send(
        200,
        'application/json',
        json({ gather_prompt: { text: 'Enter two digits' }, max_input_digits: 2, finish_on_key: '#' }),
      );
    else if (path === '/bad-gather')
      send(200, 'application/json', json({ gather_prompt: { text: 'x' }, colour: 'red' }));
    else if (path === '/connect')
      send(200, 'application/json', json({ destination: { numbers: ['+919812345678'] }, record: true }));
    else if (path === '/passthru') send(req.query.get('digits') === '"12"' ? 200 : 302, 'text/plain', 'ok');
    else send(200, 'text/plain', 'ok');
  });
});
after(async () => {
  await fake.close();
});

const flow: AppletFlow = {
  name: 'walk test',
  start: 'hello',
  applets: {
    hello: { kind: 'greeting', text: 'Hello', next: 'menu' },
    menu: { kind: 'gather', url: '/gather', next: 'decide' },
    decide: { kind: 'passthru', url: '/passthru', onOk: 'agent', onElse: 'hangup' },
    agent: { kind: 'connect', url: '/connect', next: 'end' },
    end: { kind: 'passthru', url: '/passthru', onOk: 'hangup', onElse: 'hangup' },
  },
};
const callParams = {
  CallSid: 'abc123',
  CallFrom: '09812345678',
  CallTo: '08047112233',
  CustomField: '{"customer_id":"c9"}',
};
const keys = (pressed: string) => ({ next: async () => ({ keys: pressed, source: 'digits' }) });

describe('walkFlow', () => {
  it('ends the keys by the Gather JSON, carries them quoted, and the dial result after Connect', async () => {
    const record = await walkFlow({
      flow,
      base: fake.url,
      callParams,
      keys: keys('123#'),
      statusCallback: { url: '/status', json: true },
      timeoutMs: 2000,
    });
    assert.deepEqual(
      record.steps.map((s) => s.applet),
      ['hello', 'menu', 'decide', 'agent', 'end'],
    );
    assert.equal(record.steps[0]?.heard, 'Hello');
    assert.deepEqual(record.steps[1]?.keys, { pressed: '123#', digits: '12', source: 'digits' });
    assert.equal(record.steps[2]?.branch, 'ok');
    const end = record.steps[4]?.exchange?.params ?? {};
    assert.equal(end.digits, '"12"');
    assert.equal(end.RecordingUrl, 'https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/simulated/abc123.mp3');
    assert.equal(end['Legs[0][Cause]'], '16');
    assert.deepEqual(record.outcome.numbers, ['+919812345678']);
    const callback = fake.requests.find((r) => pathOf(r) === '/status');
    const body = JSON.parse(callback?.body ?? '{}') as Record<string, string>;
    assert.deepEqual(
      [body.CallSid, body.Status, body.EventType, body.ConversationDuration, body.CustomField],
      ['abc123', 'completed', 'terminal', '30', '{"customer_id":"c9"}'],
    );
    assert.equal(body.RecordingUrl, end.RecordingUrl);
    assert.equal(record.statusCallback?.delivered, true);
  });

  it('a Passthru that refuses the connection takes the else branch, and the walk says it was unreachable', async () => {
    const port = await closedPort();
    const record = await walkFlow({
      flow: {
        name: 'refused',
        start: 'decide',
        applets: {
          decide: { kind: 'passthru', url: `http://127.0.0.1:${port}/p`, onOk: 'yes', onElse: 'no' },
          yes: { kind: 'hangup' },
          no: { kind: 'hangup' },
        },
      },
      base: fake.url,
      callParams,
      keys: keys(''),
      timeoutMs: 2000,
    });
    assert.deepEqual(
      record.steps.map((s) => [s.applet, s.branch]),
      [
        ['decide', 'else'],
        ['no', undefined],
      ],
    );
    assert.equal(record.steps[0]?.exchange?.unreachable, true);
    assert.equal(record.unreachable, true);
    assert.equal(record.outcome.kind, 'hangup');
  });

  it('a Gather answer with an unknown key ends the call with an error (Exotel drops it)', async () => {
    const record = await walkFlow({
      flow: { ...flow, applets: { ...flow.applets, menu: { kind: 'gather', url: '/bad-gather', next: 'decide' } } },
      base: fake.url,
      callParams,
      keys: keys('1'),
      timeoutMs: 2000,
    });
    assert.equal(record.outcome.kind, 'error');
    assert.match(record.outcome.reason, /^the Gather JSON is not what Exotel accepts: unknown key "colour"/);
    assert.ok(record.steps[1]?.findings.some((f) => f.code === 'EXO602' && f.severity === 'error'));
    assert.equal(record.statusCallback, undefined);
  });
});
