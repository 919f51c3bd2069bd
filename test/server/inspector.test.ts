/**
 * The browser inspector's HTTP side (server/routes/inspect.ts): the page and its API behind the admin token,
 * loopback only without ADMIN_TOKEN (X-Forwarded-For from a loopback proxy counts as the client), server-sent
 * events as exchanges complete, a call's timeline with findings and masking, replay, and the keypad.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestServer, type TestServer } from '../support/server.ts';

const PHONE = '09876543210';

async function pageAssets(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'inspector-assets-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>inspector</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  return dir;
}

function passthru(server: TestServer, sid: string, name = 'Asha') {
  return fetch(
    `${server.url}/passthru-handler?CallSid=${sid}&CallFrom=${PHONE}&CallTo=08047112233&customer_id=c-${sid}&customer_name=${name}`,
  ).then((r) => r.text());
}

/** Reads server-sent events until one satisfies `wanted`; the stream is closed after. */
async function nextEvent(response: Response, wanted: (data: Record<string, unknown>) => boolean) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (/^event: exchange$/m.test(frame) && data !== undefined) {
          const parsed = JSON.parse(data) as Record<string, unknown>;
          if (wanted(parsed)) return parsed;
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
}

describe('browser inspector: HTTP', () => {
  let server: TestServer;
  let assets: string;
  let auth: Record<string, string>;
  before(async () => {
    assets = await pageAssets();
    server = await startTestServer({ inspectorAssets: assets });
    auth = { authorization: `Bearer ${server.adminToken}` };
  });
  after(async () => {
    await server.close();
    await rm(assets, { recursive: true, force: true });
  });

  it('serves the page without data, under a strict content policy; the API wants the token', async () => {
    const page = await fetch(`${server.url}/_inspect`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.match(await page.text(), /<title>inspector/);
    assert.equal((await fetch(`${server.url}/_inspect/assets/app.js`)).status, 200);
    assert.equal((await fetch(`${server.url}/_inspect/assets/..%2Fsecret`)).status, 404);
    for (const path of ['/_inspect/api/calls', '/_inspect/api/events', '/_inspect/api/calls/x']) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 401, path);
      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401, path);
    }
    const replay = await fetch(`${server.url}/_inspect/api/exchanges/1/replay`, { method: 'POST' });
    assert.equal(replay.status, 401);
  });

  it('delivers each exchange as server-sent events when it completes', async () => {
    const controller = new AbortController();
    const events = await fetch(`${server.url}/_inspect/api/events`, { headers: auth, signal: controller.signal });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    const heard = nextEvent(events, (data) => data.callSid === 'sse-1');
    await passthru(server, 'sse-1');
    const data = await heard;
    assert.equal(data.path, '/passthru-handler');
    assert.equal(data.status, 200);
    assert.equal(typeof data.id, 'number');
    controller.abort();
  });

  it('lists calls newest first and shows one as a timeline: findings at their line, numbers masked', async () => {
    // A CRM export that wrote "undefined" for a missing name: the greeting speaks it (EXO404).
    await passthru(server, 'view-1', 'undefined');
    await passthru(server, 'view-2');
    const list = (await (await fetch(`${server.url}/_inspect/api/calls`, { headers: auth })).json()) as {
      calls: Array<{ callSid: string; customer: string; language: string; waiting: boolean }>;
    };
    const sids = list.calls.map((c) => c.callSid);
    assert.ok(sids.indexOf('view-2') < sids.indexOf('view-1'), sids.join(','));
    const two = list.calls.find((c) => c.callSid === 'view-2');
    assert.equal(two?.customer, 'Asha');
    assert.equal(two?.language, 'en');
    assert.equal(two?.waiting, true);

    const view = (await (await fetch(`${server.url}/_inspect/api/calls/view-1`, { headers: auth })).json()) as {
      exchanges: Array<{
        params: Record<string, string>;
        response: string;
        findings: Array<{ code: string; line: number }>;
        kind: string;
        budgetMs: number;
        gather: boolean;
        curl: string;
      }>;
      session: { customer: { customer_id: string } };
      call: { call_sid: string };
      mismatches: unknown[];
      stores: { sessions: string; history: string };
    };
    const [first] = view.exchanges;
    assert.ok(first);
    assert.equal(first.kind, 'exoml');
    assert.equal(first.gather, true);
    assert.equal(first.budgetMs, 5000);
    assert.equal(first.params.CallFrom, '******3210');
    assert.ok(!first.curl.includes(PHONE));
    const finding = first.findings.find((f) => f.code === 'EXO404');
    assert.ok(finding, JSON.stringify(first.findings));
    assert.match(first.response.split('\n')[finding.line - 1] ?? '', /<Say[^>]*>Hello undefined/);
    assert.equal(view.call.call_sid, 'view-1');
    assert.equal(view.session.customer.customer_id, 'c-view-1');
    assert.deepEqual(view.mismatches, []);
    assert.deepEqual(view.stores, { sessions: 'memory', history: 'pglite' });

    const shown = (await (await fetch(`${server.url}/_inspect/api/calls/view-1?pii=1`, { headers: auth })).json()) as {
      exchanges: Array<{ params: Record<string, string>; curl: string }>;
    };
    assert.equal(shown.exchanges[0]?.params.CallFrom, PHONE);
    assert.match(shown.exchanges[0]?.curl ?? '', new RegExp(`CallFrom=${PHONE}`));
    assert.equal((await fetch(`${server.url}/_inspect/api/calls/never-was`, { headers: auth })).status, 404);
  });

  it('replays a request against the server exactly as it came in', async () => {
    const answer = await passthru(server, 'replay-1');
    const [original] = server.exchanges.forCall('replay-1');
    assert.ok(original);
    const res = await fetch(`${server.url}/_inspect/api/exchanges/${original.id}/replay`, {
      method: 'POST',
      headers: auth,
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: number }).status, 200);
    const calls = server.exchanges.forCall('replay-1');
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.url, original.url);
    assert.equal(calls[1]?.response, answer);
    const gone = await fetch(`${server.url}/_inspect/api/exchanges/999999/replay`, { method: 'POST', headers: auth });
    assert.equal(gone.status, 404);
  });

  it('continues a call waiting at a Gather with the keypad, as Exotel would: the action, DigitsPressed', async () => {
    await passthru(server, 'keys-1');
    const press = (keys: string) =>
      fetch(`${server.url}/_inspect/api/calls/keys-1/keys`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ keys }),
      });
    assert.equal((await press('1x')).status, 400);
    const res = await press('1');
    assert.equal(res.status, 200, await res.clone().text());
    const result = (await res.json()) as { request: { method: string; url: string; params: Record<string, string> } };
    assert.equal(result.request.method, 'POST');
    assert.match(result.request.url, /\/gather-response\?CallSid=keys-1&/);
    assert.deepEqual(result.request.params, {
      CallSid: 'keys-1',
      CallFrom: PHONE,
      CallTo: '08047112233',
      CallStatus: 'in-progress',
      DigitsPressed: '1',
    });
    const [, next] = server.exchanges.forCall('keys-1');
    assert.equal(next?.path, '/gather-response');
    assert.equal(next?.body?.DigitsPressed, '1');
    assert.match(next?.response ?? '', /<Dial/);
    // The Dial ended the menu: nothing waits for keys now.
    const again = await press('1');
    assert.equal(again.status, 409);
    assert.match(((await again.json()) as { error: string }).error, /no <Gather>/);
  });

  it('sends a key press to this server even when the webhook named another host (the action follows Host)', async () => {
    // Without BASE_URL the Gather action is built from the webhook's Host header, which a caller chooses.
    const answer = await request(
      `${server.url}/passthru-handler?CallSid=keys-host&CallFrom=${PHONE}&CallTo=08047112233&customer_id=c-h`,
      { headers: { host: 'elsewhere.example:9' } },
    );
    assert.match(await answer.body.text(), /action="http:\/\/elsewhere\.example:9\/gather-response/);
    const res = await fetch(`${server.url}/_inspect/api/calls/keys-host/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ keys: '1' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const result = (await res.json()) as { request: { url: string } };
    assert.equal(new URL(result.request.url).origin, server.url);
    const [, next] = server.exchanges.forCall('keys-host');
    assert.equal(next?.path, '/gather-response');
    assert.match(next?.response ?? '', /<Dial/);
  });
});

describe('browser inspector: call rows in the list', () => {
  it('finds the row of a call the one query missed, with the session gone', async () => {
    const server = await startTestServer();
    // Another server on the same history writes newer rows: the query for the ring's one call returns only those.
    const other = await startTestServer({ history: server.history });
    try {
      const body = await fetch(
        `${server.url}/passthru-handler?CallSid=early-1&customer_id=c-early&CallFrom=${PHONE}&language_code=hi`,
      ).then((r) => r.text());
      const action = /action="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(action);
      await fetch(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'DigitsPressed=2',
      }).then((r) => r.text());
      for (const sid of ['later-1', 'later-2', 'later-3'])
        await fetch(`${other.url}/passthru-handler?CallSid=${sid}&customer_id=c-${sid}`).then((r) => r.text());
      await server.writer.settle();
      await other.writer.settle();
      assert.equal(await server.sessions.delete('early-1'), true);
      const list = (await (
        await fetch(`${server.url}/_inspect/api/calls`, { headers: { authorization: `Bearer ${server.adminToken}` } })
      ).json()) as { calls: Array<{ callSid: string; outcome: string | null; language: string | null }> };
      assert.deepEqual(
        list.calls.map((c) => [c.callSid, c.outcome, c.language]),
        [['early-1', 'declined', 'hi']],
      );
    } finally {
      await other.close();
      await server.close();
    }
  });
});

describe('browser inspector: shutdown', () => {
  it('ends its event streams when the server closes, so closing does not wait for the browser', {
    timeout: 15_000,
  }, async () => {
    const server = await startTestServer();
    const events = await fetch(`${server.url}/_inspect/api/events`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    assert.equal(events.status, 200);
    const body = events.text();
    await server.close();
    assert.match(await body, /^: connected\n\n/);
  });
});

describe('browser inspector: loopback only without ADMIN_TOKEN', () => {
  let server: TestServer;
  let assets: string;
  before(async () => {
    assets = await pageAssets();
    server = await startTestServer({ inspectorAssets: assets, loopbackOnly: true });
  });
  after(async () => {
    await server.close();
    await rm(assets, { recursive: true, force: true });
  });

  it('answers 403 to a client a loopback proxy forwards, and serves loopback clients', async () => {
    const remote = { 'x-forwarded-for': '203.0.113.7' };
    const auth = { authorization: `Bearer ${server.adminToken}` };
    for (const path of ['/_inspect', '/_inspect/assets/app.js', '/_inspect/api/calls', '/admin/calls']) {
      const res = await fetch(`${server.url}${path}`, { headers: { ...remote, ...auth } });
      assert.equal(res.status, 403, path);
    }
    assert.equal((await fetch(`${server.url}/_inspect`)).status, 200);
    assert.equal((await fetch(`${server.url}/_inspect/api/calls`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${server.url}/_inspect/api/calls`)).status, 401);
  });
});
