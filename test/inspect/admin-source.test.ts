/** openAdminSource against small real HTTP servers that misbehave the ways a remote can. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { EXIT, isAppError } from '../../src/errors.ts';
import { openAdminSource } from '../../src/inspect/admin-source.ts';
import { runCli } from '../support/cli.ts';
import { assertOneLineError } from '../support/inspect-calls.ts';

async function withServer(handler: (req: IncomingMessage, res: ServerResponse) => void, fn: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  try {
    await fn(`http://127.0.0.1:${address.port}`);
  } finally {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const exitCodeOf = (error: unknown) => (isAppError(error) ? error.exitCode : undefined);

describe('openAdminSource', () => {
  it('sends the Bearer token and the query; a 5xx later (serve\'s own store is down) → exit 3 naming /health', async () => {
    const seen: string[] = [];
    await withServer(
      (req, res) => {
        seen.push(`${req.url} ${req.headers.authorization}`);
        if (req.url === '/admin/stores') json(res, 200, { sessions: 'redis', history: 'postgres' });
        else json(res, 500, { error: 'internal error' });
      },
      async (url) => {
        const source = await openAdminSource({ server: `${url}/`, token: 'tok' });
        assert.deepEqual(source.description, { mode: 'server', sessions: 'redis', history: 'postgres', server: url });
        await assert.rejects(source.sessions({ customerId: 'c 1', limit: 5 }), (error: unknown) => {
          assert.equal(exitCodeOf(error), EXIT.unreachable);
          assert.match(String((error as Error).message), /answered 500: internal error/);
          assert.match(isAppError(error) ? (error.hint ?? '') : '', /\/health/);
          return true;
        });
        assert.deepEqual(seen, ['/admin/stores Bearer tok', '/admin/sessions?customer_id=c+1&limit=5 Bearer tok']);
      },
    );
  });

  it('403 (loopback-only admin API seen from elsewhere) → usage error with a hint', async () => {
    await withServer(
      (_req, res) => json(res, 403, { error: 'the admin API answers loopback clients only when ADMIN_TOKEN is not set' }),
      async (url) => {
        await assert.rejects(openAdminSource({ server: url, token: 't' }), (error: unknown) => {
          assert.equal(exitCodeOf(error), EXIT.usage);
          assert.match(String((error as Error).message), /403: the admin API answers loopback clients only/);
          return true;
        });
      },
    );
  });

  it('an answer that is not JSON → a clear error, not a SyntaxError; exit 3 (not an exo-passthru admin API)', async () => {
    await withServer(
      (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
      async (url) => {
        await assert.rejects(openAdminSource({ server: url, token: 't' }), (error: unknown) => {
          assert.equal(exitCodeOf(error), EXIT.unreachable);
          assert.match(String((error as Error).message), /GET \/admin\/stores: the answer is not JSON/);
          return true;
        });
      },
    );
  });
});

const STORES = { sessions: 'memory', history: 'pglite' };

/** A server whose /admin/stores is right and whose other answers come from `answer`. */
function adminServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/admin/stores') json(res, 200, STORES);
    else answer(req, res);
  };
}

function rejectsUnreachable(pattern: RegExp) {
  return (error: unknown) => {
    assert.equal(exitCodeOf(error), EXIT.unreachable, String(error));
    assert.match(String((error as Error).message), pattern);
    return true;
  };
}

describe('openAdminSource: answers too slow, too large or the wrong shape', () => {
  it('a body that never ends (64 MB, chunked) → exit 3 "answer larger than 16 MB", read no further', async () => {
    let sent = 0;
    const handler = adminServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const filler = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"calls":[');
      const more = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += filler.length;
          if (!res.write(filler)) return void res.once('drain', more);
        }
        res.end(']}');
      };
      res.on('error', () => {});
      more();
    });
    await withServer(handler, async (url) => {
      const source = await openAdminSource({ server: url, token: 't' });
      await assert.rejects(source.calls({}), rejectsUnreachable(/GET \/admin\/calls: answer larger than 16 MB/));
      assert.ok(sent < 48 * 1024 * 1024, `stopped reading early (server sent ${sent} bytes)`);
    });
  });

  it('headers at once, then a body that trickles → exit 3 "no complete answer within" the budget', async () => {
    const handler = adminServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"calls":[');
      res.on('error', () => {});
    });
    await withServer(handler, async (url) => {
      const source = await openAdminSource({ server: url, token: 't', timeoutMs: 200 });
      const late = /gave no complete answer to GET \/admin\/calls within 200 ms/;
      await assert.rejects(source.calls({}), rejectsUnreachable(late));
    });
  });

  it('a server that accepts but never answers → exit 3 "no complete answer within" the budget', async () => {
    await withServer(
      () => {},
      async (url) => {
        const late = /gave no complete answer to GET \/admin\/stores within 150 ms/;
        await assert.rejects(openAdminSource({ server: url, token: 't', timeoutMs: 150 }), rejectsUnreachable(late));
      },
    );
  });

  const call = {
    call_sid: 'CA1',
    customer_id: null,
    status: 'ended',
    direction: null,
    started_at: '2025-08-11T10:00:00Z',
    ended_at: null,
    language: null,
    digits: null,
    outcome: null,
    agent_number: null,
    exotel_params: {},
    updated_at: '2025-08-11T10:00:00Z',
  };
  const session = { callSid: 'CA1', language: 'hi-IN', state: 'ended', attempts: 1, createdAt: 'x', updatedAt: 'x' };
  type Source = Awaited<ReturnType<typeof openAdminSource>>;
  type Shape = { name: string; path: string; body: unknown; read: (s: Source) => Promise<unknown>; says: RegExp };
  const calls = (s: Source) => s.calls({});
  const sessions = (s: Source) => s.sessions({});
  const detail = (s: Source) => s.call('CA1');
  const shapes: Shape[] = [
    { name: 'calls: {}', path: '/admin/calls', body: {}, read: calls, says: /calls is not an array/ },
    {
      name: 'calls: a row without exotel_params',
      path: '/admin/calls',
      body: { calls: [{ ...call, exotel_params: null }] },
      read: calls,
      says: /calls\[0\]\.exotel_params is not an object/,
    },
    {
      name: 'calls: a number for a status',
      path: '/admin/calls',
      body: { calls: [call, { ...call, status: 7 }] },
      read: calls,
      says: /calls\[1\]\.status is not a string/,
    },
    { name: 'sessions: null', path: '/admin/sessions', body: { sessions: null }, read: sessions, says: /sessions is not/ },
    {
      name: 'sessions: a number for a phone',
      path: '/admin/sessions',
      body: { sessions: [{ session: { ...session, from: 98765 }, ttlSeconds: 5 }] },
      read: sessions,
      says: /sessions\[0\]\.session\.from is not a string/,
    },
    { name: 'call: an array', path: '/admin/calls/CA1', body: [], read: detail, says: /the answer is not an object/ },
    {
      name: 'call: events missing',
      path: '/admin/calls/CA1',
      body: { session: null, ttlSeconds: null, call, customer: null },
      read: detail,
      says: /events is not an array/,
    },
  ];
  for (const shape of shapes) {
    it(`JSON of the wrong shape (${shape.name}) → exit 3 naming what is wrong`, async () => {
      await withServer(
        adminServer((_req, res) => json(res, 200, shape.body)),
        async (url) => {
          const source = await openAdminSource({ server: url, token: 't' });
          const says = new RegExp(`GET ${shape.path}: not an exo-passthru admin API answer: ${shape.says.source}`);
          await assert.rejects(shape.read(source), rejectsUnreachable(says));
        },
      );
    });
  }

  it('/admin/stores of the wrong shape → exit 3 at open', async () => {
    await withServer(
      (_req, res) => json(res, 200, { sessions: 'memory' }),
      async (url) => {
        const says = /GET \/admin\/stores: not an exo-passthru admin API answer: history is not one of/;
        await assert.rejects(openAdminSource({ server: url, token: 't' }), rejectsUnreachable(says));
      },
    );
  });

  it('inspect calls --server with a wrongly shaped answer: exit 3, one error line, no TypeError', async () => {
    await withServer(
      adminServer((_req, res) => json(res, 200, { calls: [{ ...call, exotel_params: null }] })),
      async (url) => {
        const res = await runCli(['inspect', 'call', 'CA1', '--server', url, '--admin-token', 't']);
        assert.equal(res.code, 3, res.stderr);
        const says = /^error: \[exo-passthru\] \[server\] GET \/admin\/calls\/CA1: not an exo-passthru admin API answer: /;
        assertOneLineError(res.stderr, says);
        assert.doesNotMatch(res.stderr, /Cannot convert/);
      },
    );
  });
});
