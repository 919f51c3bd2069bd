/**
 * The exchange log (server/exchanges.ts): each webhook request with its answer, in order, tied to its call; the
 * admin API and health never recorded; the ring bounded; subscribers told as each exchange completes.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { request } from 'undici';
import { createExchangeLog, type Exchange } from '../../src/server/exchanges.ts';
import { pollUntil } from '../support/services.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('exchange log', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('records a call webhook by webhook, with the answer and the CallSid', async () => {
    const heard: Exchange[] = [];
    const unsubscribe = server.exchanges.subscribe((e) => heard.push(e));
    const sid = 'exch-call-1';
    const first = await request(
      `${server.url}/passthru-handler?CallSid=${sid}&CallFrom=09876543210&customer_id=c1&customer_name=Asha`,
    );
    const greeting = await first.body.text();
    const second = await request(`${server.url}/gather-response`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `CallSid=${sid}&DigitsPressed=1`,
    });
    const dial = await second.body.text();
    await request(`${server.url}/health`).then((r) => r.body.dump());
    await request(`${server.url}/admin/sessions`).then((r) => r.body.dump());
    unsubscribe();

    const call = server.exchanges.forCall(sid);
    assert.equal(call.length, 2);
    const [a, b] = call as [Exchange, Exchange];
    assert.equal(a.method, 'GET');
    assert.equal(a.path, '/passthru-handler');
    assert.equal(a.query.customer_name, 'Asha');
    assert.equal(a.status, 200);
    assert.match(a.contentType ?? '', /xml/);
    assert.equal(a.response, greeting);
    assert.equal(b.method, 'POST');
    assert.equal(b.body?.DigitsPressed, '1');
    assert.equal(b.response, dial);
    assert.match(b.response, /<Dial/);
    assert.ok(b.id > a.id);
    assert.ok(a.ms >= 0);
    assert.deepEqual(
      heard.map((e) => e.path),
      ['/passthru-handler', '/gather-response'],
    );
    assert.ok(server.exchanges.list().every((e) => !e.path.startsWith('/admin') && e.path !== '/health'));
  });

  it('keeps INSPECT_RING_SIZE exchanges: the setting bounds the ring serve fills', async () => {
    const small = await startTestServer({ inspectRingSize: 2 });
    try {
      assert.equal(small.exchanges.capacity, 2);
      for (const sid of ['ring-a', 'ring-b', 'ring-c'])
        await request(`${small.url}/passthru-handler?CallSid=${sid}&customer_id=c1`).then((r) => r.body.dump());
      assert.deepEqual(
        small.exchanges.list().map((e) => e.callSid),
        ['ring-b', 'ring-c'],
      );
    } finally {
      await small.close();
    }
  });

  it('keeps only the newest exchanges when the ring is full, and drops a listener that throws', async () => {
    const log = createExchangeLog(2);
    let calls = 0;
    log.subscribe(() => {
      calls++;
      throw new Error('listener bug');
    });
    // The middleware on a bare express app: whatever a route answers, written in pieces or at once, is kept.
    const app = express();
    app.use(log.middleware());
    app.get('/x', (req, res) => {
      res.locals.callSid = `sid-${String(req.query.n)}`;
      res.type('text/plain');
      res.write('answer ');
      res.end(String(req.query.n));
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      for (const n of [1, 2, 3]) {
        const res = await request(`http://127.0.0.1:${port}/x?n=${n}`);
        assert.equal(await res.body.text(), `answer ${n}`);
      }
      await pollUntil(async () => log.list().at(-1)?.callSid === 'sid-3', {
        timeoutMs: 5000,
        message: 'the third exchange logged',
      });
    } finally {
      server.close();
    }
    assert.deepEqual(
      log.list().map((e) => [e.callSid, e.response]),
      [
        ['sid-2', 'answer 2'],
        ['sid-3', 'answer 3'],
      ],
    );
    assert.equal(calls, 1);
    assert.throws(() => createExchangeLog(0), RangeError);
  });
});
