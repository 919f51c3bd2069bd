/**
 * Found by fuzz-webhooks.test.ts: a NUL (`%00`) in any parameter, inside a CustomField's JSON (`\u0000`), or a
 * lone surrogate in a JSON body made the call's history write fail in PostgreSQL/PGlite (text and jsonb refuse
 * both), and on the in-memory outbox of the time that failed write sat at its head, so every later history write
 * queued behind it. Values are cleaned on the way into the stores (stores/storable.ts): this checks it end to end
 * from the webhook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findMismatches } from '../../src/inspect/mismatch.ts';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('parameters PostgreSQL cannot store', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });
  const refused = () => {
    const { deadLettered, spooled } = server.writer.stats();
    return { deadLettered, spooled };
  };

  it('a NUL in the query: the call and customer are recorded without it, nothing refused', async () => {
    const res = await fetch(
      `${server.url}/passthru-handler?CallSid=nul1&customer_id=cn%001&customer_name=Ra%00vi&Direction=out%00bound&x=%00`,
    );
    assert.equal(res.status, 200);
    await server.writer.settle();
    assert.deepEqual(refused(), { deadLettered: 0, spooled: 0 }, server.logs.join('\n'));
    assert.equal((await server.history.getCall('nul1'))?.call_sid, 'nul1');
    assert.equal((await server.history.getCustomer('cn1'))?.name, 'Ravi');
  });

  it('a lone surrogate in a JSON body is read as U+FFFD', async () => {
    const body = '{"CallSid":"sur1","customer_id":"cs1","customer_name":"A\\ud800B","CustomField":"\\udc00"}';
    const res = await fetch(`${server.url}/passthru-handler`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(res.status, 200);
    await server.writer.settle();
    assert.deepEqual(refused(), { deadLettered: 0, spooled: 0 }, server.logs.join('\n'));
    assert.equal((await server.history.getCustomer('cs1'))?.name, 'A\uFFFDB');
  });

  it('a NUL and a lone surrogate inside CustomField', async () => {
    const customField = JSON.stringify({ customer_id: 'cf1', customer_name: 'a\u0000b\ud800', loan_id: 'L\u00009' });
    const res = await fetch(
      `${server.url}/passthru-handler?CallSid=cfn1&CustomField=${encodeURIComponent(customField)}`,
    );
    assert.equal(res.status, 200);
    await server.writer.settle();
    assert.deepEqual(refused(), { deadLettered: 0, spooled: 0 }, server.logs.join('\n'));
    const row = await server.history.getCustomer('cf1');
    assert.equal(row?.name, 'ab\uFFFD');
    assert.equal(row?.loan_id, 'L9');
  });

  it('a later call is recorded even after such a request', async () => {
    await fetch(`${server.url}/passthru-handler?CallSid=nul2&customer_id=c2&note=%00`);
    const res = await fetch(`${server.url}/passthru-handler?CallSid=clean1&customer_id=c3`);
    assert.equal(res.status, 200);
    await server.writer.settle();
    assert.equal((await server.history.getCall('clean1'))?.call_sid, 'clean1');
  });
});

/**
 * The session store keeps the same cleaned values as the call row (stores/session-codec.ts), so `inspect` finds
 * the call under one customer id in both and reports no mismatch. On the embedded stores always, and on the real
 * Redis + PostgreSQL when REDIS_URL / DATABASE_URL are set.
 */
for (const backend of serverBackends('hostile')) {
  describe(`a NUL in customer fields: session and call row agree on ${backend.name}`, () => {
    const server = useServerOn(backend);

    it('passthru then gather: the same customer_id and name in both stores, no mismatch', async () => {
      const res = await fetch(
        `${server().url}/passthru-handler?CallSid=agree1&customer_id=cn%001&customer_name=Ra%00vi&loan_id=L%009`,
      );
      assert.equal(res.status, 200);
      await server().writer.settle();
      const session = await server().sessions.get('agree1');
      const call = (await server().history.getCall('agree1')) ?? null;
      assert.equal(call?.customer_id, 'cn1');
      assert.deepEqual(
        {
          id: session?.customer?.customer_id,
          name: session?.customer?.customer_name,
          loan: session?.customer?.loan_id,
        },
        { id: 'cn1', name: 'Ravi', loan: 'L9' },
      );
      assert.deepEqual(findMismatches({ session: session ?? null, call }), []);
      assert.deepEqual(
        (await server().sessions.list({ customerId: 'cn1' })).map((entry) => entry.session.callSid),
        ['agree1'],
      );
      const gather = await fetch(`${server().url}/gather-response?CallSid=agree1&digits=%221%22`);
      assert.equal(gather.status, 200);
      await server().writer.settle();
      const after = await server().sessions.get('agree1');
      assert.equal(after?.customer?.customer_id, 'cn1');
      assert.deepEqual(
        findMismatches({ session: after ?? null, call: (await server().history.getCall('agree1')) ?? null }),
        [],
      );
    });
  });
}
