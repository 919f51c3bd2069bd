/**
 * inspect against the machine's real Redis and PostgreSQL (registered when REDIS_URL and DATABASE_URL are set;
 * then they must answer). Calls go through serve's webhooks; inspect reads the stores directly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { realStores } from '../support/backends.ts';
import { runCli, runCliUntil } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { realDatabaseUrl, realRedisUrl, uniqueName } from '../support/services.ts';
import { makeCall, type CallPlan } from '../support/inspect-calls.ts';

const redisUrl = realRedisUrl();
const databaseUrl = realDatabaseUrl();

type Snapshot = {
  keys: Map<string, { value: string | null; pttl: number }>;
  counts: Record<string, number>;
  takenAt: number;
};

async function snapshot(redis: Redis, db: pg.Client, prefix: string, schema: string): Promise<Snapshot> {
  const keys = new Map<string, { value: string | null; pttl: number }>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const key of batch) keys.set(key, { value: await redis.get(key), pttl: await redis.pttl(key) });
    cursor = next;
  } while (cursor !== '0');
  const counts: Record<string, number> = {};
  for (const table of ['customers', 'calls', 'call_events']) {
    const res = await db.query<{ n: string; latest: Date | null }>(
      `select count(*)::text as n, max(updated_at_or_at) as latest from (select ${table === 'call_events' ? 'at' : 'updated_at'} as updated_at_or_at from ${db.escapeIdentifier(schema)}.${table}) t`,
    );
    counts[table] = Number(res.rows[0]?.n);
    counts[`${table}.latest`] = res.rows[0]?.latest?.getTime() ?? 0;
  }
  return { keys, counts, takenAt: Date.now() };
}

if (redisUrl && databaseUrl) {
  describe('inspect on the real Redis + PostgreSQL', () => {
    const stores = realStores('inspect', { redisUrl, databaseUrl });
    const { prefix, schema } = stores;
    let server: TestServer;
    let cwd: string;
    let redis: Redis;
    let db: pg.Client;
    let before1: Snapshot;
    const calls: CallPlan[] = [
      {
        sid: 'CAtransfer1',
        customerId: 'cust_a',
        name: 'Riddhi Mittal',
        phone: '+917417119014',
        language: 'hi-IN',
        press: '1',
      },
      {
        sid: 'CAdecline1',
        customerId: 'cust_b',
        name: 'Murugan',
        phone: '+919876543210',
        language: 'ta-IN',
        press: '2',
      },
      {
        sid: 'CAsilent1',
        customerId: 'cust_c',
        name: 'Lakshmi',
        phone: '+919123456780',
        language: 'te-IN',
        press: 'none',
      },
      {
        sid: 'CAopen1',
        customerId: 'cust_a',
        name: 'Riddhi Mittal',
        phone: '+917417119014',
        language: 'hi-IN',
        press: 'hang-up',
      },
      {
        sid: 'CAdigit1',
        customerId: 'cust_d',
        name: 'Asha',
        phone: '+919000000001',
        language: 'en-IN',
        press: 'hang-up',
      },
    ];
    const direct = () => [
      '--redis-url',
      redisUrl,
      '--redis-prefix',
      prefix,
      '--database-url',
      databaseUrl,
      '--database-schema',
      schema,
    ];
    const inspect = (args: string[], extra: string[] = direct()) =>
      runCli(['inspect', ...args, ...extra], { cwd, env: {} });

    before(async () => {
      const options = await stores.open();
      cwd = await mkdtemp(join(tmpdir(), 'exo-inspect-'));
      server = await startTestServer(options);
      for (const plan of calls) await makeCall(server.url, plan);
      // Mismatches on purpose: a digit written to Redis behind the server's back, and a session deleted mid-call.
      const digitSession = await server.sessions.get('CAdigit1');
      assert.ok(digitSession);
      await server.sessions.put({ ...digitSession, digits: '1', digitSource: 'DigitsPressed' }, 7200);
      assert.equal(await server.sessions.delete('CAopen1'), true);
      redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      before1 = await snapshot(redis, db, prefix, schema);
    });

    after(async () => {
      await server?.close();
      await redis?.quit();
      await db?.end();
      await stores.cleanup();
      if (cwd) await rm(cwd, { recursive: true, force: true });
    });

    it('sessions (table): the four live sessions, newest first, with language, digit, outcome and TTL', async () => {
      const res = await inspect(['sessions']);
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trimEnd().split('\n');
      assert.equal(lines[0], 'sessions: redis · history: postgres');
      assert.match(lines[2] ?? '', /^CALL SID\s+CUSTOMER\s+LANG\s+STATE\s+DIGIT\s+OUTCOME\s+AGE\s+TTL$/);
      const rows = lines.slice(3).map((line) => line.split(/\s{2,}/));
      assert.deepEqual(
        rows.map((r) => r[0]),
        ['CAdigit1', 'CAsilent1', 'CAdecline1', 'CAtransfer1'],
      );
      assert.deepEqual(rows.find((r) => r[0] === 'CAtransfer1')?.slice(1, 6), [
        'cust_a',
        'hi',
        'transferring',
        '1',
        'agent_transfer',
      ]);
      assert.deepEqual(rows.find((r) => r[0] === 'CAdecline1')?.slice(1, 6), [
        'cust_b',
        'ta',
        'ended',
        '2',
        'declined',
      ]);
      assert.deepEqual(rows.find((r) => r[0] === 'CAsilent1')?.slice(1, 6), ['cust_c', 'te', 'ended', '-', 'no_input']);
      for (const row of rows) assert.match(row[7] ?? '', /^(1h59m|2h00m)$/);
    });

    it('sessions (JSON): stable shape, phone numbers masked unless --show-pii', async () => {
      const res = await runCli(['--json', 'inspect', 'sessions', '--call-sid', 'CAtransfer1', ...direct()], {
        cwd,
        env: {},
      });
      assert.equal(res.code, 0, res.stderr);
      const body = JSON.parse(res.stdout) as {
        source: unknown;
        piiMasked: boolean;
        sessions: Array<{
          session: { callSid: string; from: string; customer: { phone: string } };
          ttlSeconds: number;
          ageSeconds: number;
        }>;
      };
      assert.deepEqual(body.source, { mode: 'direct', sessions: 'redis', history: 'postgres' });
      assert.equal(body.piiMasked, true);
      assert.equal(body.sessions.length, 1);
      const [entry] = body.sessions;
      assert.equal(entry?.session.from, '+91******9014');
      assert.equal(entry?.session.customer.phone, '+91******9014');
      assert.ok((entry?.ttlSeconds ?? 0) > 7000 && (entry?.ttlSeconds ?? 0) <= 7200);
      assert.ok((entry?.ageSeconds ?? -1) >= 0);
      assert.doesNotMatch(res.stdout, /7417119014/);
      const pii = await runCli(
        ['--json', 'inspect', 'sessions', '--call-sid', 'CAtransfer1', '--show-pii', ...direct()],
        { cwd, env: {} },
      );
      assert.match(pii.stdout, /"from": "\+917417119014"/);
    });

    it('sessions: --customer-id and --limit', async () => {
      const byCustomer = JSON.parse(
        (await runCli(['--json', 'inspect', 'sessions', '--customer-id', 'cust_b', ...direct()], { cwd, env: {} }))
          .stdout,
      ) as { sessions: Array<{ session: { callSid: string } }> };
      assert.deepEqual(
        byCustomer.sessions.map((e) => e.session.callSid),
        ['CAdecline1'],
      );
      const limited = JSON.parse(
        (await runCli(['--json', 'inspect', 'sessions', '--limit', '2', ...direct()], { cwd, env: {} })).stdout,
      ) as { sessions: Array<{ session: { callSid: string } }> };
      assert.deepEqual(
        limited.sessions.map((e) => e.session.callSid),
        ['CAdigit1', 'CAsilent1'],
      );
    });

    it('calls (table and JSON): all five rows newest first; filters by outcome, customer, since; limit', async () => {
      const table = await inspect(['calls']);
      assert.equal(table.code, 0, table.stderr);
      const sids = table.stdout
        .trimEnd()
        .split('\n')
        .slice(3)
        .map((line) => line.split(/\s{2,}/)[0]);
      assert.deepEqual(sids, ['CAdigit1', 'CAopen1', 'CAsilent1', 'CAdecline1', 'CAtransfer1']);
      assert.match(
        table.stdout,
        /CAsilent1\s+cust_c\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ended\s+te\s+-\s+no_input\s+-\s+-\s+\d{4}-/,
      );
      const json = async (args: string[]) => {
        const res = await runCli(['--json', 'inspect', 'calls', ...args, ...direct()], { cwd, env: {} });
        assert.equal(res.code, 0, res.stderr);
        return (
          JSON.parse(res.stdout) as {
            calls: Array<{ call_sid: string; outcome: string | null; agent_number: string | null }>;
          }
        ).calls;
      };
      assert.deepEqual(
        (await json(['--outcome', 'declined'])).map((c) => c.call_sid),
        ['CAdecline1'],
      );
      assert.deepEqual(
        (await json(['--outcome', 'agent_transfer'])).map((c) => [c.call_sid, c.agent_number]),
        [['CAtransfer1', '+91******5678']],
      );
      assert.deepEqual(
        (await json(['--customer-id', 'cust_a'])).map((c) => c.call_sid),
        ['CAopen1', 'CAtransfer1'],
      );
      assert.equal((await json(['--since', '1h'])).length, 5);
      assert.equal((await json(['--since', '2999-01-01'])).length, 0);
      assert.deepEqual(
        (await json(['--limit', '1'])).map((c) => c.call_sid),
        ['CAdigit1'],
      );
      const none = await inspect(['calls', '--since', '2999-01-01T00:00:00Z']);
      assert.match(none.stdout, /\(no calls\)/);
    });

    it('call <sid> (table): session with TTL, call row, customer, events timeline, no mismatch', async () => {
      const res = await inspect(['call', 'CAtransfer1']);
      assert.equal(res.code, 0, res.stderr);
      const text = res.stdout;
      assert.match(text, /^call CAtransfer1 · sessions: redis · history: postgres\n/);
      assert.match(text, /\nsession \(redis, TTL (1h59m|2h00m)\)\n {2}state {10}transferring\n/);
      assert.match(text, /\n {2}digits {9}1 \(from DigitsPressed\)\n/);
      assert.match(text, /\ncall row \(postgres\)\n {2}status +transferring\n/);
      assert.match(text, /\n {2}agent number +\+91\*{6}5678\n/);
      assert.match(text, /\ncustomer\n {2}customer id +cust_a\n {2}name +Riddhi Mittal\n {2}phone +\+91\*{6}9014\n/);
      assert.match(
        text,
        /\nevents \(2\)\n {2}# +AT \(IST\) +KIND +DETAIL\n {2}1 .* passthru .*\n {2}2 .* gather +\{"digits":"1"/,
      );
      assert.match(text, /\nmismatches\n {2}none: the session and the call row agree\n?$/);
      assert.doesNotMatch(text, /7417119014/);
    });

    it('call <sid> (JSON): the whole record and an empty mismatch list', async () => {
      const res = await runCli(['--json', 'inspect', 'call', 'CAsilent1', ...direct()], { cwd, env: {} });
      assert.equal(res.code, 0, res.stderr);
      const body = JSON.parse(res.stdout) as {
        found: boolean;
        session: { state: string; attempts: number };
        call: { outcome: string; ended_at: string | null };
        customer: { name: string };
        events: Array<{ kind: string }>;
        mismatches: unknown[];
      };
      assert.equal(body.found, true);
      assert.deepEqual([body.session.state, body.session.attempts], ['ended', 2]);
      assert.equal(body.call.outcome, 'no_input');
      assert.ok(body.call.ended_at);
      assert.equal(body.customer.name, 'Lakshmi');
      assert.deepEqual(
        body.events.map((e) => e.kind),
        ['passthru', 'gather', 'gather'],
      );
      assert.deepEqual(body.mismatches, []);
    });

    it('mismatches made on purpose: a digit in Redis that never reached PostgreSQL; a session deleted mid-call', async () => {
      const digit = await inspect(['call', 'CAdigit1']);
      assert.equal(digit.code, 0, digit.stderr);
      assert.match(
        digit.stdout,
        /\nmismatches \(1\)\n {2}KIND +WHAT\n {2}digit_not_in_row +digit "1" is in the session \(redis\) but never reached the call row \(postgres\)/,
      );
      const open = JSON.parse(
        (await runCli(['--json', 'inspect', 'call', 'CAopen1', ...direct()], { cwd, env: {} })).stdout,
      ) as { session: unknown; call: { status: string }; mismatches: Array<{ kind: string; message: string }> };
      assert.equal(open.session, null);
      assert.equal(open.call.status, 'greeted');
      assert.deepEqual(
        open.mismatches.map((m) => m.kind),
        ['session_missing'],
      );
      assert.match(
        open.mismatches[0]?.message ?? '',
        /expired or was deleted while the call row \(postgres\) says "greeted"/,
      );
    });

    it('call <sid> that does not exist → exit 1, a clear message, nothing on stdout', async () => {
      const res = await inspect(['call', 'CAnosuch']);
      assert.equal(res.code, 1);
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^error: no session and no call row for CallSid CAnosuch\n/);
    });

    it('sources from the environment; Redis only → sessions work, calls name --database-url (exit 2), call shows the session', async () => {
      const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
      const sessions = await runCli(['inspect', 'sessions', '--customer-id', 'cust_c'], { cwd, env });
      assert.equal(sessions.code, 0, sessions.stderr);
      assert.match(sessions.stdout, /^sessions: redis · history: not read \(no --database-url\)\n/);
      assert.match(sessions.stdout, /CAsilent1/);
      const calls = await runCli(['inspect', 'calls'], { cwd, env });
      assert.equal(calls.code, 2);
      assert.match(calls.stderr, /inspect calls reads PostgreSQL, but neither --database-url nor DATABASE_URL is set/);
      const call = await runCli(['inspect', 'call', 'CAtransfer1'], { cwd, env });
      assert.equal(call.code, 0, call.stderr);
      assert.match(call.stdout, /\ncall row\n {2}not read: give --database-url/);
      assert.match(call.stdout, /\nmismatches\n {2}not checked/);
    });

    it('PostgreSQL only → inspect sessions names --redis-url (exit 2); calls work', async () => {
      const env = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema };
      const sessions = await runCli(['inspect', 'sessions'], { cwd, env });
      assert.equal(sessions.code, 2);
      assert.match(sessions.stderr, /--redis-url/);
      const calls = await runCli(['inspect', 'calls', '--outcome', 'no_input'], { cwd, env });
      assert.equal(calls.code, 0, calls.stderr);
      assert.match(calls.stdout, /CAsilent1/);
    });

    it('a schema without exo-passthru tables: exit 1 "no exo-passthru history in schema X", and the schema is not created', async () => {
      const empty = uniqueName('inspect_empty');
      const res = await runCli(['inspect', 'calls', '--database-url', databaseUrl, '--database-schema', empty], {
        cwd,
        env: {},
      });
      assert.equal(res.code, 1);
      assert.match(res.stderr, new RegExp(`no exo-passthru history in schema "${empty}"`));
      assert.match(res.stderr, /hint: Check --database-schema/);
      const found = await db.query('select 1 from pg_namespace where nspname = $1', [empty]);
      assert.equal(found.rowCount, 0, 'inspect must not run migrations');
    });

    it('--watch --json: one JSON line per refresh until SIGINT, exit 0', async () => {
      const res = await runCliUntil(['--json', 'inspect', 'call', 'CAtransfer1', '--watch', ...direct()], {
        cwd,
        until: (out) => out.split('\n').length > 2,
      });
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trimEnd().split('\n');
      assert.ok(lines.length >= 2);
      for (const line of lines) assert.equal((JSON.parse(line) as { callSid: string }).callSid, 'CAtransfer1');
    });

    it('read-only: same keys, values and no TTL reset in Redis; same rows in PostgreSQL', async () => {
      const now = await snapshot(redis, db, prefix, schema);
      assert.deepEqual([...now.keys.keys()].sort(), [...before1.keys.keys()].sort());
      const elapsed = now.takenAt - before1.takenAt;
      for (const [key, was] of before1.keys) {
        const is = now.keys.get(key);
        assert.equal(is?.value, was.value, key);
        // A write would have reset the TTL to 7200 s; untouched, it only ran down.
        assert.ok(
          (is?.pttl ?? 0) <= was.pttl && (is?.pttl ?? 0) >= was.pttl - elapsed - 1000,
          `${key}: ${was.pttl} → ${is?.pttl}`,
        );
      }
      assert.deepEqual(now.counts, before1.counts);
    });
  });
}
