import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signCustomerParams } from '../../src/exotel/signing.ts';
import { find, parseResponse } from '../support/exoml.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const KEY = 'test-webhook-key-ᚠ';

describe('WEBHOOK_KEY', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ webhookKey: KEY });
  });
  after(async () => {
    await server.close();
  });
  const status = async (path: string, init?: RequestInit) => (await fetch(`${server.url}${path}`, init)).status;

  it('a keyless request → 401', async () => {
    assert.equal(await status('/passthru-handler?CallSid=k1&customer_id=c'), 401);
    assert.equal(await status('/gather-response?CallSid=k1&Digits=1'), 401);
  });

  it('a wrong key → 401, the right key → 200', async () => {
    assert.equal(await status('/passthru-handler?CallSid=k2&key=wrong'), 401);
    assert.equal(await status(`/passthru-handler?CallSid=k2&key=${encodeURIComponent(KEY)}`), 200);
  });

  it('the Gather action carries a per-call token, not the key, and it authenticates the next hop', async () => {
    const res = await fetch(`${server.url}/passthru-handler?CallSid=k3&key=${encodeURIComponent(KEY)}`);
    const body = await res.text();
    assert.ok(!body.includes(encodeURIComponent(KEY)) && !body.includes(KEY), 'key never appears in ExoML');
    const action = new URL(find(parseResponse(body), 'Gather')[0]?.attrs.action ?? '');
    assert.ok(action.searchParams.get('tok'));
    assert.equal(
      await status(`${action.pathname}${action.search}`, {
        method: 'POST',
        body: new URLSearchParams({ DigitsPressed: '1' }),
      }),
      200,
    );
    const forged = new URL(action);
    forged.searchParams.set('CallSid', 'other-call');
    assert.equal(
      await status(`${forged.pathname}${forged.search}`, {
        method: 'POST',
        body: new URLSearchParams({ DigitsPressed: '1' }),
      }),
      401,
    );
  });

  it('a signed URL is accepted; an altered or expired one → 401', async () => {
    const customer = { customer_id: 'sc1', customer_name: 'Kavya', amount: '1500' };
    const { exp, sig } = signCustomerParams(customer, KEY, new Date(Date.now() + 3600_000));
    const good = new URLSearchParams({ ...customer, exp, sig, CallSid: 'signed1' });
    assert.equal(await status(`/passthru-handler?${good}`), 200);
    const altered = new URLSearchParams({ ...customer, amount: '15', exp, sig, CallSid: 'signed2' });
    assert.equal(await status(`/passthru-handler?${altered}`), 401);
    const old = signCustomerParams(customer, KEY, new Date(Date.now() - 1000));
    assert.equal(
      await status(`/passthru-handler?${new URLSearchParams({ ...customer, ...old, CallSid: 'signed3' })}`),
      401,
    );
  });

  it('a signed URL ignores CustomField: unsigned customer fields cannot ride along', async () => {
    const customer = { customer_id: 'sc4', customer_name: 'Kavya' };
    const { exp, sig } = signCustomerParams(customer, KEY, new Date(Date.now() + 3600_000));
    const smuggled = JSON.stringify({ customer_id: 'sc4', loan_id: 'FORGED-1', amount: '1' });
    const res = await fetch(
      `${server.url}/passthru-handler?${new URLSearchParams({ ...customer, exp, sig, CallSid: 'signed4', CustomField: smuggled })}`,
    );
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.ok(body.includes('Kavya'));
    assert.ok(!body.includes('FORGED-1'), 'the forged loan id is not spoken');
    const session = await server.sessions.get('signed4');
    assert.equal(session?.customer?.loan_id, undefined);
    assert.equal(session?.customer?.amount, undefined);
    assert.equal((await server.history.getCustomer('sc4'))?.loan_id, null);
  });

  it('/health needs no key', async () => {
    assert.equal(await status('/health'), 200);
  });
});

describe('admin API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ adminToken: 'admintok' });
    await fetch(`${server.url}/passthru-handler?CallSid=adm1&customer_id=ad1&customer_name=Zoya&From=09876543210`);
    await fetch(`${server.url}/gather-response?CallSid=adm1&digits=%222%22`);
  });
  after(async () => {
    await server.close();
  });
  const getJson = async (path: string, token?: string) => {
    const res = await fetch(`${server.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('401 without the token, 401 with a wrong one', async () => {
    assert.equal((await getJson('/admin/calls')).status, 401);
    assert.equal((await getJson('/admin/calls', 'nope')).status, 401);
  });

  it('lists sessions and calls, and shows one call in full', async () => {
    const sessions = await getJson('/admin/sessions?call_sid=adm1', 'admintok');
    assert.equal(sessions.status, 200);
    const entries = sessions.body.sessions as Array<{
      session: { callSid: string; digits: string };
      ttlSeconds: number;
    }>;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.session.digits, '2');
    assert.ok((entries[0]?.ttlSeconds ?? 0) > 7000);
    const calls = await getJson('/admin/calls?customer_id=ad1&outcome=declined', 'admintok');
    assert.equal((calls.body.calls as unknown[]).length, 1);
    const one = await getJson('/admin/calls/adm1', 'admintok');
    assert.equal(one.status, 200);
    assert.equal((one.body.customer as { name: string }).name, 'Zoya');
    assert.deepEqual(
      (one.body.events as Array<{ kind: string }>).map((e) => e.kind),
      ['passthru', 'gather'],
    );
  });

  it('bad filters → 400, unknown call → 404', async () => {
    assert.equal((await getJson('/admin/calls?outcome=maybe', 'admintok')).status, 400);
    assert.equal((await getJson('/admin/calls?limit=0', 'admintok')).status, 400);
    assert.equal((await getJson('/admin/calls/none-such', 'admintok')).status, 404);
  });
});
