/**
 * inspect through serve's admin API, on the embedded stores (in-memory sessions + PGlite): how a developer sees
 * what `serve` without REDIS_URL/DATABASE_URL remembers. Token from flag, env or serve's token file; 401 without.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runCliUntil } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertOneLineError, makeCall } from '../support/inspect-calls.ts';

describe('inspect through the admin API (memory + PGlite)', () => {
  let server: TestServer;
  let cwd: string;
  let emptyCwd: string;
  const withToken = () => ['--server', server.url, '--admin-token', server.adminToken];

  before(async () => {
    server = await startTestServer();
    cwd = await mkdtemp(join(tmpdir(), 'exo-inspect-admin-'));
    emptyCwd = await mkdtemp(join(tmpdir(), 'exo-inspect-empty-'));
    await makeCall(server.url, { sid: 'CAadm1', customerId: 'cust_x', name: 'Riddhi Mittal', phone: '+917417119014', language: 'hi-IN', press: '1' });
    await makeCall(server.url, { sid: 'CAadm2', customerId: 'cust_y', name: 'Murugan', phone: '+919876543210', language: 'ta-IN', press: '2' });
    await makeCall(server.url, { sid: 'CAadm3', customerId: 'cust_z', name: 'Lakshmi', phone: '+919123456780', language: 'te-IN', press: 'none' });
    await makeCall(server.url, { sid: 'CAadm4', customerId: 'cust_x', name: 'Riddhi Mittal', phone: '+917417119014', language: 'hi-IN', press: 'hang-up' });
    await server.sessions.delete('CAadm4');
  });

  after(async () => {
    await server?.close();
    await rm(cwd, { recursive: true, force: true });
    await rm(emptyCwd, { recursive: true, force: true });
  });

  it('right token (--admin-token): sessions, calls and one call, in table form', async () => {
    const sessions = await runCli(['inspect', 'sessions', ...withToken()], { cwd, env: {} });
    assert.equal(sessions.code, 0, sessions.stderr);
    assert.match(sessions.stdout, new RegExp(`^sessions: memory · history: pglite · via ${server.url}\n`));
    assert.match(sessions.stdout, /CAadm1\s+cust_x\s+hi\s+transferring\s+1\s+agent_transfer\s+\d+s\s+(1h59m|2h00m)/);
    const calls = await runCli(['inspect', 'calls', '--outcome', 'no_input', ...withToken()], { cwd, env: {} });
    assert.equal(calls.code, 0, calls.stderr);
    assert.match(calls.stdout, /CAadm3\s+cust_z/);
    assert.doesNotMatch(calls.stdout, /CAadm1|CAadm2/);
    const call = await runCli(['inspect', 'call', 'CAadm2', ...withToken()], { cwd, env: {} });
    assert.equal(call.code, 0, call.stderr);
    assert.match(call.stdout, /\nsession \(memory, TTL (1h59m|2h00m)\)\n/);
    assert.match(call.stdout, /\ncall row \(pglite\)\n {2}status +ended\n/);
    assert.match(call.stdout, /\n {2}name +Murugan\n {2}phone +\+91\*{6}3210\n/);
  });

  it('JSON through the API has the same shape as direct, with source.mode "server"', async () => {
    const res = await runCli(['--json', 'inspect', 'call', 'CAadm4', ...withToken()], { cwd, env: {} });
    assert.equal(res.code, 0, res.stderr);
    const body = JSON.parse(res.stdout) as { source: unknown; found: boolean; session: unknown; ttlSeconds: unknown; call: { status: string }; mismatches: Array<{ kind: string }> };
    assert.deepEqual(body.source, { mode: 'server', sessions: 'memory', history: 'pglite', server: server.url });
    assert.equal(body.found, true);
    assert.equal(body.session, null);
    assert.equal(body.ttlSeconds, null);
    assert.equal(body.call.status, 'greeted');
    assert.deepEqual(body.mismatches.map((m) => m.kind), ['session_missing']);
    const calls = JSON.parse((await runCli(['--json', 'inspect', 'calls', '--customer-id', 'cust_x', '--limit', '1', ...withToken()], { cwd, env: {} })).stdout) as { calls: Array<{ call_sid: string }> };
    assert.deepEqual(calls.calls.map((c) => c.call_sid), ['CAadm4']);
  });

  it('token from ADMIN_TOKEN, and from serve\'s .exo-passthru/admin-token-<port> in the working directory', async () => {
    const fromEnv = await runCli(['inspect', 'sessions', '--server', server.url], { cwd: emptyCwd, env: { ADMIN_TOKEN: server.adminToken } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    await mkdir(join(cwd, '.exo-passthru'), { recursive: true });
    const port = new URL(server.url).port;
    await writeFile(join(cwd, '.exo-passthru', `admin-token-${port}`), `${server.adminToken}\n`);
    // No --server: the default is http://127.0.0.1:<PORT>.
    const fromFile = await runCli(['inspect', 'call', 'CAadm1'], { cwd, env: { PORT: port } });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stdout, /^call CAadm1 · /);
  });

  it('wrong token → 401 → exit 2, the message names --admin-token', async () => {
    const res = await runCli(['inspect', 'sessions', '--server', server.url, '--admin-token', 'wrong'], { cwd: emptyCwd, env: {} });
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assertOneLineError(res.stderr, /answered 401 Unauthorized: the admin token from --admin-token was refused/);
    assert.match(res.stderr, /hint: .*--admin-token/);
  });

  it('no token at all → 401 → exit 2, says none was found', async () => {
    const res = await runCli(['inspect', 'calls', '--server', server.url], { cwd: emptyCwd, env: {} });
    assert.equal(res.code, 2);
    assertOneLineError(res.stderr, /401 Unauthorized: no admin token was found/);
  });

  it('a CallSid serve does not know → exit 1', async () => {
    const res = await runCli(['inspect', 'call', 'CAnone', ...withToken()], { cwd, env: {} });
    assert.equal(res.code, 1);
    assertOneLineError(res.stderr, /no session and no call row for CallSid CAnone/);
  });

  it('usage errors → exit 2: bad --limit, --outcome, --since; --server with --redis-url', async () => {
    const cases: string[][] = [
      ['inspect', 'sessions', '--limit', '0', ...withToken()],
      ['inspect', 'calls', '--limit', 'ten', ...withToken()],
      ['inspect', 'calls', '--outcome', 'maybe', ...withToken()],
      ['inspect', 'calls', '--since', 'yesterday', ...withToken()],
      ['inspect', 'sessions', '--server', server.url, '--redis-url', 'redis://127.0.0.1:6379'],
      ['inspect', 'sessions', '--server', 'not a url'],
      ['inspect', 'call'],
    ];
    for (const args of cases) {
      const res = await runCli(args, { cwd: emptyCwd, env: {} });
      assert.equal(res.code, 2, `${args.join(' ')}\n${res.stderr}`);
      assert.doesNotMatch(res.stderr, /\n\s+at /);
    }
  });

  it('--watch in a terminal clears the screen each refresh; in a pipe it does not', async () => {
    const tty = await runCliUntil(['inspect', 'sessions', '--watch', ...withToken()], { cwd, tty: true, until: (out) => out.split('\u001b[2J').length > 2 });
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stdout, /every 1s · .* · Ctrl-C to stop\nsessions: memory/);
    const pipe = await runCliUntil(['inspect', 'sessions', '--watch', ...withToken()], { cwd, until: (out) => out.includes('CAadm1') });
    assert.equal(pipe.code, 0, pipe.stderr);
    assert.doesNotMatch(pipe.stdout, /\u001b/);
  });

  it('--watch on a call that has not started yet keeps watching (found: false), exit 0 on Ctrl-C', async () => {
    const res = await runCliUntil(['--json', 'inspect', 'call', 'CAlater', '--watch', ...withToken()], { cwd, until: (out) => out.includes('\n') });
    assert.equal(res.code, 0, res.stderr);
    const first = JSON.parse(res.stdout.split('\n')[0] ?? '') as { found: boolean; callSid: string };
    assert.deepEqual([first.found, first.callSid], [false, 'CAlater']);
  });

  it('a server that is not exo-passthru → exit 2 saying so', async () => {
    const other: Server = createServer((_req, res) => res.writeHead(404).end('not here'));
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const address = other.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const res = await runCli(['inspect', 'sessions', '--server', `http://127.0.0.1:${address.port}`], { cwd: emptyCwd, env: {} });
      assert.equal(res.code, 2);
      assertOneLineError(res.stderr, /has no \/admin\/stores: is it an exo-passthru serve\?/);
    } finally {
      other.close();
      await once(other, 'close');
    }
  });
});
