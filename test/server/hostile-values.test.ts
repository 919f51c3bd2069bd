/**
 * Found by fuzz-webhooks.test.ts: a NUL (`%00`) in any parameter, inside a CustomField's JSON (`\u0000`), or a
 * lone surrogate in a JSON body made the call's history write fail in PostgreSQL/PGlite (text and jsonb refuse
 * both), and on the in-memory outbox of the time that failed write sat at its head, so every later history write
 * queued behind it. Values are cleaned on the way into the stores (stores/storable.ts): this checks it end to end
 * from the webhook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
