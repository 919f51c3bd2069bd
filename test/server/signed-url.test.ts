/** Signed passthru URLs (`url --sign`) on a real server: a forged or ambiguous query is refused before the flow runs. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signCustomerParams } from '../../src/exotel/signing.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const KEY = 'signed-url-key';

describe('signed URLs on /passthru-handler', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ webhookKey: KEY });
  });
  after(async () => {
    await server.close();
  });

  const customer = {
    customer_id: 'SU1',
    customer_name: 'Riddhi',
    phone: '+919876543210',
    loan_id: 'L9',
    amount: '1500',
  };
  const signature = () => signCustomerParams(customer, KEY, new Date(Date.now() + 3600_000));
  const status = async (query: string) => (await fetch(`${server.url}/passthru-handler?${query}`)).status;

  it('accepts the URL as signed', async () => {
    assert.equal(await status(`${new URLSearchParams({ ...customer, ...signature(), CallSid: 'su-ok' })}`), 200);
  });

  it('checks the values the server reads: a phone with its + sent unencoded still verifies', async () => {
    const query = `${new URLSearchParams({ ...customer, ...signature(), CallSid: 'su-plus' })}`.replace(
      'phone=%2B91',
      'phone=+91',
    );
    assert.match(query, /phone=\+91/);
    assert.equal(await status(query), 200);
    assert.equal((await server.sessions.get('su-plus'))?.customer?.phone, customer.phone);
  });

  it('refuses phone and loan_id folded into customer_name', async () => {
    const { phone, loan_id, ...rest } = customer;
    const folded = { ...rest, customer_name: `Riddhi\nphone=${phone}\nloan_id=${loan_id}` };
    assert.equal(await status(`${new URLSearchParams({ ...folded, ...signature(), CallSid: 'su-fold' })}`), 401);
    assert.equal(await server.sessions.get('su-fold'), undefined);
  });

  it('refuses a signed parameter that appears twice, whichever copy a reader would take', async () => {
    const signed = `${new URLSearchParams({ ...customer, ...signature(), CallSid: 'su-dup' })}`;
    assert.equal(await status(`${signed}&amount=1`), 401);
    assert.equal(await status(`amount=1&${signed}`), 401);
    assert.equal(await status(`${signed}&amount=1500`), 401);
    const res = await fetch(`${server.url}/passthru-handler?${signed}`, {
      method: 'POST',
      body: new URLSearchParams({ amount: '1500' }),
    });
    assert.equal(res.status, 401, 'the same name in the query and the form');
    assert.equal(await server.sessions.get('su-dup'), undefined);
  });
});
