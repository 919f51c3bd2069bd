/**
 * The webhook routes answer ExoML whatever arrives: HEAD writes nothing, methods other than GET/HEAD/POST get 405
 * with Allow, and a body that fails to parse gets the error ExoML whether the path is spelled as registered or
 * in another case or with a trailing slash (express matches both by default).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseResponse, verbs } from '../support/exoml.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const WEBHOOKS = ['/passthru-handler', '/gather-response'];

describe('webhook methods and bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const assertErrorExoml = async (res: Response, status: number, label: string) => {
    const body = await res.text();
    assert.equal(res.status, status, `${label}: ${body}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/, label);
    assert.deepEqual(verbs(parseResponse(body)), ['Say', 'Hangup'], label);
  };

  it('HEAD /passthru-handler answers like GET would, without running the call', async () => {
    const res = await fetch(`${server.url}/passthru-handler?CallSid=head1&customer_id=hd1&customer_name=Head`, {
      method: 'HEAD',
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
    assert.equal(await res.text(), '');
    await server.writer.settle();
    assert.equal(await server.sessions.get('head1'), undefined);
    assert.equal(await server.history.getCall('head1'), undefined);
    assert.equal(await server.history.getCustomer('hd1'), undefined);
  });

  it('HEAD /gather-response writes nothing either', async () => {
    const res = await fetch(`${server.url}/gather-response?CallSid=head2&Digits=1`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    await server.writer.settle();
    assert.equal(await server.sessions.get('head2'), undefined);
    assert.equal(await server.history.getCall('head2'), undefined);
  });

  for (const method of ['OPTIONS', 'PUT', 'DELETE', 'PATCH']) {
    it(`${method} → 405 with Allow and the error ExoML`, async () => {
      for (const path of WEBHOOKS) {
        const res = await fetch(`${server.url}${path}?CallSid=m1`, { method });
        assert.equal(res.headers.get('allow'), 'GET, HEAD, POST', `${method} ${path}`);
        await assertErrorExoml(res, 405, `${method} ${path}`);
      }
      assert.equal(await server.sessions.get('m1'), undefined);
    });
  }

  it('a bad JSON body → 400 ExoML on every spelling of the path', async () => {
    for (const path of [
      ...WEBHOOKS,
      '/PASSTHRU-HANDLER',
      '/Gather-Response',
      '/passthru-handler/',
      '/GATHER-RESPONSE/',
    ]) {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{bad',
      });
      await assertErrorExoml(res, 400, path);
    }
  });

  it('an oversized form → 413 ExoML; an unknown charset → 415 ExoML', async () => {
    for (const path of ['/passthru-handler', '/GATHER-RESPONSE']) {
      const big = await fetch(`${server.url}${path}`, {
        method: 'POST',
        body: new URLSearchParams({ CallSid: 'big1', pad: 'x'.repeat(70_000) }),
      });
      await assertErrorExoml(big, 413, `${path} oversized`);
      const charset = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' },
        body: 'CallSid=cs1',
      });
      await assertErrorExoml(charset, 415, `${path} charset`);
    }
  });

  it('other paths keep their JSON answers', async () => {
    const res = await fetch(`${server.url}/no-such-route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /json/);
  });
});
