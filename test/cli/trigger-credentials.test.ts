/**
 * `trigger call`'s credentials: the Calls API key and token come from EXOTEL_API_KEY / EXOTEL_API_TOKEN (the
 * environment or .env), so a real token need not be typed where shell history and `ps` keep it; `--api-key`
 * still wins over the environment; without either, the placeholders the mock accepts. Checked on the wire: a
 * server on port 0 reads the Authorization header the CLI sent.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

describe('trigger call credentials', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const seen: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-trigger-creds-'));
    server = createServer((req, res) => {
      seen.push(Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Call: { Sid: `sid${seen.length}`, Status: 'in-progress' } }));
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const trigger = (args: string[], env: Record<string, string>) =>
    runCli(['--json', 'trigger', 'call', '--from', '09812345678', '--server', url, ...args], { env, cwd: dir });

  it('reads the key and token from the environment and .env; --api-key wins; placeholders otherwise', async () => {
    const fromEnv = await trigger([], { EXOTEL_API_KEY: 'k-env', EXOTEL_API_TOKEN: 't-env' });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    await writeFile(join(dir, '.env'), 'EXOTEL_API_KEY=k-dotenv\nEXOTEL_API_TOKEN=t-dotenv\n');
    const fromDotenv = await trigger([], {});
    assert.equal(fromDotenv.code, 0, fromDotenv.stderr);
    const flag = await trigger(['--api-key', 'k-flag'], { EXOTEL_API_KEY: 'k-env', EXOTEL_API_TOKEN: 't-env' });
    assert.equal(flag.code, 0, flag.stderr);
    await rm(join(dir, '.env'));
    const none = await trigger([], {});
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(seen, ['k-env:t-env', 'k-dotenv:t-dotenv', 'k-flag:t-env', 'api_key:api_token']);
  });
});
