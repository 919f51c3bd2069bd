/**
 * `serve --mock-exotel-api` (docs/exotel-protocol.md §6.1): a call posted with undici as a team's trigger code
 * would is answered with Exotel's {"Call": …}, plays the flow against the applet service, and its StatusCallback
 * (to serve's own /exotel/status-callback) gives the call its final status in the history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { baseEnv, runBin } from '../support/spawn.ts';
import { pollUntil } from '../support/services.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const AUTH = `Basic ${Buffer.from('api_key:api_token').toString('base64')}`;
const FLOW = 'http://my.exotel.com/acme1/exoml/start_voice/926';

for (const backend of serverBackends('mockcalls')) {
  describe(`mock Calls API on ${backend.name}`, () => {
    const server = useServerOn(backend, { mockExotelApi: true });

    const post = async (fields: Record<string, string>, auth = AUTH) => {
      const res = await request(`${server().url}/v1/Accounts/acme1/Calls/connect.json`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, Record<string, unknown>> };
    };

    it('accepts a call, plays the flow and records the final status from the StatusCallback', async () => {
      const res = await post({
        From: '09812345678',
        CallerId: '08047112233',
        Url: FLOW,
        CustomField: JSON.stringify({ customer_id: 'cust_mock', language_code: 'ta' }),
        StatusCallback: `${server().url}/exotel/status-callback`,
        'StatusCallbackEvents[0]': 'terminal',
        StatusCallbackContentType: 'application/json',
      });
      assert.equal(res.status, 200);
      const sid = String(res.json.Call?.Sid);
      assert.match(sid, /^[0-9a-f]{32}$/);
      assert.equal(res.json.Call?.Status, 'in-progress');
      // The mock plays the flow and posts the StatusCallback after answering: poll with a deadline.
      await pollUntil(async () => (await server().history.getCall(sid))?.final_status === 'completed', {
        timeoutMs: 10_000,
        message: 'the StatusCallback never reached the call row',
      });
      const row = await server().history.getCall(sid);
      assert.equal(row?.final_status, 'completed');
      assert.equal(row?.customer_id, 'cust_mock');
      assert.equal(row?.language, 'ta');
      assert.equal(row?.outcome, 'no_input');
      assert.ok(row?.ended_at);
      // The call walked the bundled flow's applets over HTTP, as Exotel would.
      const kinds = (await server().history.listEvents(sid)).map((e) => e.kind);
      for (const kind of ['applet-greeting', 'applet-passthru', 'status-callback'])
        assert.ok(kinds.includes(kind), kinds.join());

      // inspect, spawned against serve's admin API, lists the call with its final status from the StatusCallback.
      const inspect = await runBin(
        ['--json', 'inspect', 'calls', '--server', server().url, '--admin-token', server().adminToken],
        { env: baseEnv({ REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: '' }) },
      );
      assert.equal(inspect.code, 0, inspect.stderr);
      const listed = (JSON.parse(inspect.stdout) as { calls: Array<{ call_sid: string; final_status: string | null }> })
        .calls;
      assert.equal(listed.find((call) => call.call_sid === sid)?.final_status, 'completed');
      const table = await runBin(['inspect', 'calls', '--server', server().url, '--admin-token', server().adminToken], {
        env: baseEnv({ REDIS_URL: '', DATABASE_URL: '', ADMIN_TOKEN: '' }),
      });
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /FINAL\s+DURATION/);
      assert.match(table.stdout, new RegExp(`${sid}\\s+cust_mock\\s.*\\sno_input\\s+completed\\s+0s\\s`));
    });

    it('refuses a passthru URL, a missing field and no Basic auth with RestException', async () => {
      const bad = await post({ From: '09812345678', CallerId: '08047112233', Url: `${server().url}/exotel/passthru` });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.RestException?.Message, 'Url must be an Exotel flow URL, not your passthru');
      assert.equal((await post({ CallerId: '08047112233', Url: FLOW })).status, 400);
      assert.equal((await post({ From: '09812345678', CallerId: '08047112233', Url: FLOW }, '')).status, 401);
    });
  });
}

describe('mock Calls API with keys pressed (mockCalls.digits)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ mockExotelApi: true, mockCalls: { digits: ['1'] } });
  });
  after(async () => {
    await server.close();
  });

  it('the callee presses 1: the call takes the Connect branch and the Passthru after it reports the dial', async () => {
    const res = await request(`${server.url}/v1/Accounts/acme1/Calls/connect.json`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        From: '09812345678',
        CallerId: '08047112233',
        Url: FLOW,
        StatusCallback: `${server.url}/exotel/status-callback`,
      }).toString(),
    });
    assert.equal(res.statusCode, 200);
    const sid = String(((await res.body.json()) as { Call: { Sid: string } }).Call.Sid);
    await pollUntil(async () => (await server.history.getCall(sid))?.final_status === 'completed', {
      timeoutMs: 10_000,
      message: 'the StatusCallback never reached the call row',
    });
    const row = await server.history.getCall(sid);
    assert.deepEqual(
      [row?.outcome, row?.digits, row?.dial_call_status, row?.duration],
      ['agent_transfer', '1', 'completed', 30],
    );
  });
});

describe('mock Calls API rate limit', () => {
  let server: TestServer;
  let tick: (ms: number) => void = () => {};
  before(async () => {
    // Exotel's limit is 200 calls a minute (§6.1); the same route with a limit of 2 and a clock the test moves.
    let now = Date.parse('2026-01-05T10:00:00Z');
    server = await startTestServer({
      mockExotelApi: true,
      mockCalls: { callsPerMinute: 2 },
      now: () => new Date(now),
    });
    tick = (ms) => {
      now += ms;
    };
  });
  after(async () => {
    await server.close();
  });

  it('answers 429 with a RestException above the limit, and takes calls again a minute later', async () => {
    const call = async () => {
      const res = await request(`${server.url}/v1/Accounts/acme1/Calls/connect`, {
        method: 'POST',
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ From: '09812345678', CallerId: '08047112233', Url: FLOW }).toString(),
      });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, Record<string, unknown>> };
    };
    assert.equal((await call()).status, 200);
    assert.equal((await call()).status, 200);
    const refused = await call();
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.json, {
      RestException: { Status: 429, Message: 'Too many requests: at most 2 calls a minute' },
    });
    tick(60_001);
    assert.equal((await call()).status, 200);
  });
});
