/**
 * The `tok` the Gather action URL carries (WEBHOOK_KEY set) stands in for the key on exactly one hop: it is good
 * on /gather-response only, for its own CallSid and customer_id, until it expires; it never vouches for customer
 * fields on /passthru-handler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { find, parseResponse } from '../support/exoml.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const KEY = 'gather-token-key';
const TTL_SECONDS = 600;

describe('the Gather action token', () => {
  let server: TestServer;
  let clock = Date.now();
  before(async () => {
    server = await startTestServer({ webhookKey: KEY, sessionTtl: TTL_SECONDS, now: () => new Date(clock) });
  });
  after(async () => {
    await server.close();
  });

  const status = async (path: string, init?: RequestInit) => (await fetch(`${server.url}${path}`, init)).status;

  /** A keyed Passthru hit for `callSid`, and the Gather action URL (with its tok) it answers. */
  const actionFor = async (callSid: string, customerId?: string): Promise<URL> => {
    const query = new URLSearchParams({
      CallSid: callSid,
      key: KEY,
      ...(customerId ? { customer_id: customerId } : {}),
    });
    const res = await fetch(`${server.url}/passthru-handler?${query}`);
    assert.equal(res.status, 200);
    return new URL(find(parseResponse(await res.text()), 'Gather')[0]?.attrs.action ?? '');
  };

  it('does not let a caller write another customer through /passthru-handler', async () => {
    await fetch(
      `${server.url}/passthru-handler?${new URLSearchParams({ CallSid: 'victim1', key: KEY, customer_id: 'OTHER', customer_name: 'Asha', amount: '15000' })}`,
    );
    const tok = (await actionFor('mine1')).searchParams.get('tok') ?? '';
    assert.ok(tok);
    const forged = new URLSearchParams({
      CallSid: 'mine1',
      tok,
      customer_id: 'OTHER',
      customer_name: 'Mallory',
      amount: '1',
    });
    assert.equal(await status(`/passthru-handler?${forged}`), 401);
    const row = await server.history.getCustomer('OTHER');
    assert.equal(row?.name, 'Asha');
    assert.equal(Number(row?.amount), 15000);
  });

  it('is refused on /passthru-handler even without customer fields', async () => {
    const tok = (await actionFor('mine2')).searchParams.get('tok') ?? '';
    assert.equal(await status(`/passthru-handler?${new URLSearchParams({ CallSid: 'mine2', tok })}`), 401);
  });

  it('is good on /gather-response for its own call and customer only', async () => {
    const action = await actionFor('mine3', 'cust3');
    const digits = () => ({ method: 'POST', body: new URLSearchParams({ DigitsPressed: '2' }) });
    const other = new URL(action);
    other.searchParams.set('customer_id', 'OTHER');
    assert.equal(await status(`${other.pathname}${other.search}`, digits()), 401);
    const otherCall = new URL(action);
    otherCall.searchParams.set('CallSid', 'victim1');
    assert.equal(await status(`${otherCall.pathname}${otherCall.search}`, digits()), 401);
    assert.equal(await status(`${action.pathname}${action.search}`, digits()), 200);
  });

  it('expires with the session', async () => {
    const action = await actionFor('mine4');
    const path = `${action.pathname}${action.search}`;
    const started = clock;
    try {
      clock = started + (TTL_SECONDS - 5) * 1000;
      assert.equal(await status(path, { method: 'POST', body: new URLSearchParams({ DigitsPressed: '9' }) }), 200);
      clock = started + (TTL_SECONDS + 5) * 1000;
      assert.equal(await status(path, { method: 'POST', body: new URLSearchParams({ DigitsPressed: '9' }) }), 401);
    } finally {
      clock = started;
    }
  });

  it('a token with its expiry edited is refused', async () => {
    const action = await actionFor('mine5');
    const tok = action.searchParams.get('tok') ?? '';
    const [exp, mac] = tok.split('.');
    assert.ok(exp && mac, `tok is <exp>.<mac>: ${tok}`);
    action.searchParams.set('tok', `${Number(exp) + 86_400}.${mac}`);
    assert.equal(await status(`${action.pathname}${action.search}`), 401);
  });
});
