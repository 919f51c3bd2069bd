/** openAdminSource against small real HTTP servers that misbehave the ways a remote can. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { EXIT, isAppError } from '../../src/errors.ts';
import { openAdminSource } from '../../src/inspect/admin-source.ts';

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
  it('a server that accepts but never answers → unreachable (exit 3) after the timeout', async () => {
    await withServer(
      () => {},
      async (url) => {
        await assert.rejects(openAdminSource({ server: url, token: 't', timeoutMs: 150 }), (error: unknown) => {
          assert.equal(exitCodeOf(error), EXIT.unreachable);
          assert.match(String((error as Error).message), /cannot reach .*: no answer in time/);
          return true;
        });
      },
    );
  });

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

  it('an answer that is not JSON → a clear error, not a SyntaxError', async () => {
    await withServer(
      (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
      async (url) => {
        await assert.rejects(openAdminSource({ server: url, token: 't' }), /GET \/admin\/stores: the answer is not JSON/);
      },
    );
  });
});
