/**
 * The write path under faults, against private store processes this file starts on free ports (never the
 * machine's own): a request PostgreSQL refuses for good, PostgreSQL down while calls go on and serve killed
 * meanwhile, PostgreSQL frozen, Redis killed and restarted. serve runs as a real process (bin/exo-passthru.js).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { callSids, playCalls } from '../support/calls.ts';
import { parseResponse } from '../support/exoml.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { startPrivateRedis } from '../support/private-redis.ts';
import { pollUntil } from '../support/services.ts';
import { baseEnv, startServe, type RunningServe } from '../support/spawn.ts';

type Health = { status: string; writes: { spooled: number; deadLettered: number; mode: string; lost: number } };

async function health(url: string): Promise<{ code: number; body: Health }> {
  const res = await fetch(`${url}/health`);
  return { code: res.status, body: (await res.json()) as Health };
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** serve on the private PostgreSQL (schema public), history spooled under `dir`, run from `dir`. */
function serveOn(db: PrivatePostgres, dir: string, extraEnv: Record<string, string> = {}): Promise<RunningServe> {
  return startServe([], {
    cwd: dir,
    env: baseEnv({ DATABASE_URL: db.url, REDIS_URL: undefined, SPOOL_DIR: join(dir, 'spool'), DATA_DIR: join(dir, 'pglite'), ...extraEnv }),
  });
}

/** Calls whose every request was answered 200 must each have one row and exactly two events. */
async function assertHistoryOf(db: PrivatePostgres, sids: readonly string[]) {
  const rows = await query<{ call_sid: string; events: string; distinct_writes: string; digits: string | null }>(
    db.url,
    `select c.call_sid, c.digits, count(e.id) as events, count(distinct e.write_id) as distinct_writes
       from calls c left join call_events e on e.call_sid = c.call_sid
      where c.call_sid = any($1::text[]) group by c.call_sid, c.digits`,
    [sids],
  );
  assert.equal(rows.length, sids.length, `${sids.length - rows.length} answered call(s) have no row`);
  for (const row of rows) {
    assert.equal(Number(row.events), 2, `${row.call_sid}: ${row.events} events`);
    assert.equal(Number(row.distinct_writes), 2, `${row.call_sid}: an event was written twice`);
    assert.equal(row.digits, '1');
  }
}

describe('write path faults (private PostgreSQL and Redis)', () => {
  let db: PrivatePostgres;
  let dir: string;
  before(async () => {
    db = await startPrivatePostgres();
    dir = await mkdtemp(join(tmpdir(), 'exo-faults-'));
  });
  after(async () => {
    await db?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a write PostgreSQL refuses goes to the dead-letter file once; hostile values are stored cleaned; 100 good calls land', async (t) => {
    const work = await mkdtemp(join(dir, 'poison-'));
    const serve = await serveOn(db, work);
    t.after(() => serve.stop('SIGKILL'));
    // A rule of the database that refuses one customer for good (SQLSTATE 23514), as a DBA's constraint would.
    await query(db.url, `create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin if new.customer_id = 'C-poison' then raise exception 'customer C-poison is refused' using errcode = '23514'; end if; return new; end $$;
      create trigger refuse_poison before insert or update on customers for each row execute function refuse_poison();`);
    const hostile = [
      '/passthru-handler?CallSid=h-nul&customer_id=C-nul&customer_name=a%00b',
      `/passthru-handler?CallSid=h-cf&CustomField=${encodeURIComponent('{"customer_id":"C-cf","customer_name":"x\\u0000y"}')}`,
      '/passthru-handler?CallSid=h-amount&customer_id=C-amount&amount=1000000000000000',
      '/passthru-handler?CallSid=h-poison&customer_id=C-poison&customer_name=Mallory',
    ];
    for (const path of hostile) {
      const res = await fetch(`${serve.url}${path}`);
      assert.equal(res.status, 200, path);
      parseResponse(await res.text());
    }
    const json = await fetch(`${serve.url}/passthru-handler`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"CallSid":"h-json","customer_id":"C-json","customer_name":"\\ud800 Rao"}',
    });
    assert.equal(json.status, 200);
    parseResponse(await json.text());

    const good = callSids('good-', 0, 100);
    const results = await playCalls(serve.url, good, 16);
    assert.deepEqual(results.filter((r) => !r.answered), []);
    await assertHistoryOf(db, good);
    const names = await query<{ customer_id: string; name: string | null; amount: string | null }>(
      db.url,
      `select customer_id, name, amount::text from customers where customer_id in ('C-nul', 'C-cf', 'C-amount', 'C-json') order by 1`,
    );
    assert.deepEqual(names, [
      { customer_id: 'C-amount', name: null, amount: null },
      { customer_id: 'C-cf', name: 'xy', amount: null },
      { customer_id: 'C-json', name: '\ufffd Rao', amount: null },
      { customer_id: 'C-nul', name: 'ab', amount: null },
    ]);
    assert.equal((await query(db.url, `select 1 from calls where call_sid = 'h-poison'`)).length, 0);
    const letters = (await readFile(join(work, 'spool', 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(letters.length, 1);
    const letter = JSON.parse(letters[0] ?? '') as { code: string; reason: string; write: { start: { callSid: string } } };
    assert.equal(letter.write.start.callSid, 'h-poison');
    assert.equal(letter.code, '23514');
    assert.match(letter.reason, /C-poison is refused/);
    const state = await health(serve.url);
    assert.equal(state.code, 200);
    assert.equal(state.body.status, 'degraded');
    assert.equal(state.body.writes.deadLettered, 1);
    await query(db.url, 'drop trigger refuse_poison on customers');
  });

  it('PostgreSQL down for the middle of 2,000 calls and serve SIGKILLed meanwhile: every answered call has its row and events, none twice', async () => {
    const work = await mkdtemp(join(dir, 'outage-'));
    let serve = await serveOn(db, work);
    try {
      const phase1 = await playCalls(serve.url, callSids('out-', 0, 700), 32);
      await db.stop();
      const phase2 = await playCalls(serve.url, callSids('out-', 700, 700), 32);
      assert.equal((await health(serve.url)).body.writes.spooled, 1400, 'both writes of every call of the outage are spooled');
      await serve.stop('SIGKILL');
      await db.start();
      serve = await serveOn(db, work);
      const phase3 = await playCalls(serve.url, callSids('out-', 1400, 600), 32);
      const all = [...phase1, ...phase2, ...phase3];
      assert.deepEqual(all.filter((r) => !r.answered).map((r) => `${r.sid} ${r.statuses} ${r.error ?? ''}`), []);
      await pollUntil(async () => (await health(serve.url)).body.writes.spooled === 0, { timeoutMs: 30_000, message: 'the spool did not drain' });
      assert.equal((await health(serve.url)).body.status, 'ok');
      await assertHistoryOf(db, all.map((r) => r.sid));
    } finally {
      await serve.stop('SIGKILL');
    }
  });

  it('PostgreSQL frozen (SIGSTOP): webhooks answer within 2 s, SIGTERM exits within 10 s, the calls are in the spool', async (t) => {
    const work = await mkdtemp(join(dir, 'frozen-'));
    let serve = await serveOn(db, work);
    try {
      db.freeze();
      const results = await playCalls(serve.url, callSids('frz-', 0, 20), 10);
      assert.deepEqual(results.filter((r) => !r.answered), []);
      const slowest = Math.max(...results.map((r) => r.slowestMs));
      assert.ok(slowest < 2000, `slowest answer ${slowest.toFixed(0)} ms`);
      assert.ok((await health(serve.url)).body.writes.spooled >= 40, 'the writes wait in the spool');
      const started = performance.now();
      const exited = once(serve.child, 'exit');
      serve.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((resolve) => {
        timer = setTimeout(resolve, 10_000, 'still running');
      });
      const outcome = await Promise.race([exited, deadline]);
      clearTimeout(timer);
      assert.notEqual(outcome, 'still running', 'serve did not exit within 10 s of SIGTERM');
      t.diagnostic(`slowest answer while frozen: ${slowest.toFixed(0)} ms; exit after SIGTERM: ${(performance.now() - started).toFixed(0)} ms`);
      db.thaw();
      serve = await serveOn(db, work);
      await pollUntil(async () => (await health(serve.url)).body.writes.spooled === 0, { timeoutMs: 30_000, message: 'the spool did not drain' });
      await assertHistoryOf(db, results.map((r) => r.sid));
    } finally {
      db.thaw();
      await serve.stop('SIGKILL');
    }
  });

  it('Redis killed and restarted under load: no 5xx, valid ExoML throughout, history complete', async () => {
    const redis = await startPrivateRedis();
    const work = await mkdtemp(join(dir, 'redis-'));
    const serve = await serveOn(db, work, { REDIS_URL: redis.url });
    try {
      const load = playCalls(serve.url, callSids('rds-', 0, 900), 16);
      const kill = (async () => {
        await pollUntil(async () => (await query<{ n: string }>(db.url, `select count(*) as n from calls where call_sid like 'rds-%'`))[0]?.n !== '0', { timeoutMs: 10_000, message: 'no call yet' });
        await redis.stop();
        await pollUntil(async () => Number((await query<{ n: string }>(db.url, `select count(*) as n from calls where call_sid like 'rds-%'`))[0]?.n) > 300, { timeoutMs: 20_000, message: 'calls stopped while Redis was down' });
        await redis.restart();
      })();
      const [results] = await Promise.all([load, kill]);
      assert.deepEqual(results.filter((r) => !r.answered).map((r) => `${r.sid} ${r.statuses} ${r.error ?? ''}`), []);
      assert.ok(results.every((r) => r.statuses.every((s) => s === 200)));
      await assertHistoryOf(db, results.map((r) => r.sid));
    } finally {
      await serve.stop('SIGKILL');
      await redis.stop();
    }
  });
});
