/**
 * The Gather action URL is built from the request's Host (BASE_URL unset), so a Host that is not a host answers
 * 400 with the webhooks' error ExoML, and X-Forwarded-Proto (trusted from loopback) picks only http or https.
 * node:http, not fetch: fetch sets Host itself.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { find, parseResponse, verbs } from '../support/exoml.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type RawReply = { status: number; contentType: string; body: string };

function rawGet(base: string, path: string, headers: Record<string, string>): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', setHost: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host and X-Forwarded-Proto on the webhooks', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const BAD_HOSTS = [
    'a b',
    '',
    'x:99999',
    'x:',
    'a@evil.example',
    'evil.example/path',
    '[::1',
    'x:80:80',
    'évil.example',
  ];
  for (const host of BAD_HOSTS) {
    it(`Host ${JSON.stringify(host)} → 400 with the error ExoML`, async () => {
      for (const path of [
        '/passthru-handler?CallSid=host1&customer_id=h1',
        '/gather-response?CallSid=host1&Digits=1',
      ]) {
        const reply = await rawGet(server.url, path, { Host: host });
        assert.equal(reply.status, 400, `${path}: ${reply.body}`);
        assert.match(reply.contentType, /^text\/xml/);
        assert.deepEqual(verbs(parseResponse(reply.body)), ['Say', 'Hangup']);
      }
      assert.equal(await server.sessions.get('host1'), undefined);
    });
  }

  it('a good Host (name, IPv4, IPv6, with or without port) builds the action URL on it', async () => {
    for (const host of ['bot.example.com', 'bot.example.com:8443', '127.0.0.1:9', '[::1]:8000', 'my_host']) {
      const reply = await rawGet(server.url, '/passthru-handler?CallSid=host2', { Host: host });
      assert.equal(reply.status, 200, `${host}: ${reply.body}`);
      const action = find(parseResponse(reply.body), 'Gather')[0]?.attrs.action ?? '';
      assert.equal(new URL(action).host, new URL(`http://${host}`).host);
    }
  });

  it('X-Forwarded-Proto other than http/https is ignored', async () => {
    const action = async (proto: string) => {
      const reply = await rawGet(server.url, '/passthru-handler?CallSid=host3', {
        Host: 'bot.example.com',
        'X-Forwarded-Proto': proto,
      });
      assert.equal(reply.status, 200, reply.body);
      return find(parseResponse(reply.body), 'Gather')[0]?.attrs.action ?? '';
    };
    assert.match(await action('javascript'), /^http:\/\/bot\.example\.com\/gather-response\?/);
    assert.match(await action('data'), /^http:\/\//);
    assert.match(await action('https'), /^https:\/\/bot\.example\.com\//);
    assert.match(await action('HTTPS'), /^https:\/\//);
  });
});
