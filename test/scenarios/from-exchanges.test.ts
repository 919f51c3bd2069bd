/**
 * A call serve saw (its exchange log) written as a scenario (src/scenarios/from-exchanges.ts): it replays green
 * with `test` against the same server; phone numbers and the name are placeholders unless pii; presses, no input,
 * a hang-up at the menu, a call that carried only some customer fields and the parameters of a Passthru after a
 * Connect all come through.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseScenarios } from '../../src/scenarios/parse.ts';
import { endsCall, scenarioFromExchanges } from '../../src/scenarios/from-exchanges.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NAME = 'Rao & <Sons>';
const PHONE = '9812312345';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'exo-from-exchanges-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Play one call with simulate and return its CallSid (the newest call in the log). */
async function simulate(...args: string[]): Promise<string> {
  const played = await runCli([
    'simulate',
    `${server.url}/passthru-handler`,
    '--name',
    NAME,
    '--phone',
    PHONE,
    ...args,
  ]);
  assert.equal(played.code, 0, played.stdout + played.stderr);
  const sid = server.exchanges.list().at(-1)?.callSid;
  assert.ok(sid);
  return sid;
}

function scenarioOf(sid: string, pii = false): string {
  const made = scenarioFromExchanges(sid, server.exchanges.forCall(sid), { origin: server.url, pii, by: 'a test' });
  assert.ok(made.ok, made.ok ? '' : made.reason);
  return made.yaml;
}

async function replay(yaml: string, file: string) {
  const path = join(dir, file);
  await writeFile(path, yaml);
  return runCli(['test', '--url', `${server.url}/passthru-handler`, path]);
}

describe('a call from the exchange log as a scenario', () => {
  for (const [label, digits, steps] of [
    ['no input, then 2', ',2', ['expect', 'no_input', 'expect', 'press', 'expect']],
    ['1 reaches the agent', '1', ['expect', 'press', 'expect']],
    ['no input twice', ',,', ['expect', 'no_input', 'expect', 'no_input', 'expect']],
  ] as const) {
    it(`${label}: replays green, redacted and with pii`, async () => {
      const sid = await simulate('--digits', digits);
      const redacted = scenarioOf(sid);
      const [scenario] = parseScenarios(redacted, 'r.yaml');
      assert.deepEqual(
        scenario?.steps.map((s) => s.kind),
        steps,
      );
      assert.doesNotMatch(redacted, /9812312345|Rao|Sons/);
      assert.doesNotMatch(redacted, /7417119014|9812345678|8047112233/);
      for (const [text, file] of [
        [redacted, `${label}-redacted.yaml`],
        [scenarioOf(sid, true), `${label}-pii.yaml`],
      ] as const) {
        const result = await replay(text, file.replaceAll(' ', '-'));
        assert.equal(result.code, 0, text + result.stdout + result.stderr);
        assert.match(result.stdout, /1 scenario\(s\): 1 passed, 0 failed/);
      }
    });
  }

  it('puts placeholders for every phone number and the name, and keeps them with pii', async () => {
    const sid = await simulate('--digits', '1');
    const redacted = scenarioOf(sid);
    assert.match(redacted, /customer_name: Customer A/);
    assert.match(redacted, /Hello Customer A,/);
    assert.match(redacted, /from: "09000000001"/);
    assert.match(redacted, /phone: "\+919000000001"/);
    assert.doesNotMatch(redacted, /^\s+dial:/m);
    // No run of ten digits but the placeholders.
    for (const [run] of redacted.matchAll(/\d{10,}/g)) assert.match(run, /^(0|\+?91)?9000000\d{3}$/, run);
    const kept = scenarioOf(sid, true);
    assert.match(kept, /customer_name: Rao & <Sons>/);
    assert.match(kept, /from: "09812312345"/);
    assert.match(kept, /dial: "\+919812345678"/);
  });

  it('a hang-up at the menu and the Passthru after a Connect come through', async () => {
    const sid = 'fromexch-connect-1';
    const query = new URLSearchParams({
      CallSid: sid,
      CallFrom: `0${PHONE}`,
      CallTo: '08047112233',
      customer_id: 'fx-1',
      customer_name: NAME,
      amount: '2500',
      DialCallStatus: 'completed',
      DialCallDuration: '42',
      DialWhomNumber: '07417119014',
    });
    const answer = await fetch(`${server.url}/passthru-handler?${query}`);
    assert.match(await answer.text(), /<Hangup/);
    const connect = scenarioOf(sid);
    assert.match(connect, /DialCallStatus: completed/);
    assert.match(connect, /DialCallDuration: "42"/);
    assert.match(connect, /DialWhomNumber: "09000000003"/);
    assert.equal((await replay(connect, 'connect.yaml')).code, 0, connect);

    const hangup = 'fromexch-hangup-1';
    // Only a customer id: the replay must not fill in test's default customer (its name, loan, amount).
    const first = await fetch(`${server.url}/passthru-handler?CallSid=${hangup}&CallFrom=0${PHONE}&customer_id=h1`);
    await first.text();
    const left = scenarioOf(hangup);
    assert.match(left, /- hangup: null/);
    assert.match(left, /customer_name: ""/);
    assert.match(left, /CustomField: '\{"customer_id":"h1"\}'/);
    const result = await replay(left, 'hangup.yaml');
    assert.equal(result.code, 0, left + result.stdout);
  });

  it('says which answers end a call, and that a call with no webhook exchange has no scenario', () => {
    const base = { method: 'GET', query: {}, body: undefined, status: 200, contentType: 'text/xml', ms: 1 };
    const xml = (inner: string) => ({ ...base, path: '/gather-response', response: `<Response>${inner}</Response>` });
    assert.equal(endsCall(xml('<Say>bye</Say><Hangup/>')), true);
    assert.equal(endsCall(xml('<Dial>+919812345678</Dial>')), true);
    assert.equal(endsCall(xml('<Say>end of the document</Say>')), true);
    assert.equal(endsCall(xml('<Gather action="/g"><Say>press</Say></Gather><Redirect>/g</Redirect>')), false);
    assert.equal(endsCall(xml('<Dial action="/after">+919812345678</Dial>')), false);
    assert.equal(endsCall({ ...base, path: '/exotel/status-callback', response: '' }), true);
    assert.equal(endsCall({ ...base, path: '/exotel/gather', response: '{}' }), false);
    assert.equal(endsCall({ ...xml('<Say>x</Say>'), status: 500 }), true);
    const none = scenarioFromExchanges('nothing', [{ ...base, path: '/exotel/passthru', response: '' }], {
      origin: 'http://127.0.0.1:1',
      by: 'a test',
    });
    assert.equal(none.ok, false);
  });
});
