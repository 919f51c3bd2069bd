/**
 * `simulate campaign` against our own server (createApp + listen on 127.0.0.1:0), over HTTP only: on embedded
 * stores always, and on the real Redis + PostgreSQL when REDIS_URL / DATABASE_URL are set (own key prefix and
 * schema, removed afterwards). 200 calls at concurrency 20: the funnel adds up, matches the seeded plan, and the
 * server's call rows say the same.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { createDigitPlan, parseDigitMix } from '../../src/simulate/campaign-plan.ts';
import type { CampaignReport } from '../../src/simulate/campaign-report.ts';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { runCli } from '../support/cli.ts';

const CSV = fileURLToPath(new URL('../../fixtures/csv/customers-50.csv', import.meta.url));
const MIX = '1:50,2:25,none:25';
const SEED = 'campaign-test';
const CALLS = 200;

function plannedCounts(): Record<string, number> {
  const shares = parseDigitMix(MIX);
  if (!shares.ok) throw new Error(shares.message);
  const plan = createDigitPlan(shares.value, SEED, CALLS);
  const counts: Record<string, number> = {};
  for (let i = 0; i < CALLS; i++) counts[plan(i).label] = (counts[plan(i).label] ?? 0) + 1;
  return counts;
}

for (const backend of serverBackends('campaign')) {
  describe(`simulate campaign against serve on ${backend.name}`, () => {
    const server = useServerOn(backend);
    let report: CampaignReport;
    before(async () => {
      const args = [
        '--json',
        'simulate',
        'campaign',
        `${server().url}/passthru-handler`,
        '--csv',
        CSV,
        '--calls',
        String(CALLS),
      ];
      const res = await runCli([...args, '--concurrency', '20', '--dtmf', MIX, '--seed', SEED]);
      assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}`);
      report = JSON.parse(res.stdout) as CampaignReport;
    });

    it('the funnel adds up and matches the seeded plan; every call ends in Dial or Hangup', () => {
      const planned = plannedCounts();
      assert.deepEqual(planned, { 1: 100, 2: 50, none: 50 });
      assert.deepEqual(report.mix, [
        { keys: '1', percent: 50, planned: 100 },
        { keys: '2', percent: 25, planned: 50 },
        { keys: 'none', percent: 25, planned: 50 },
      ]);
      assert.deepEqual(report.funnel, {
        calls: 200,
        greeted: 200,
        pressed1: 100,
        pressedOther: 50,
        noInput: 50,
        dial: 100,
        hangup: 100,
        errors: 0,
        timeouts: 0,
      });
      const { funnel: f } = report;
      assert.equal(f.pressed1 + f.pressedOther + f.noInput, f.calls);
      assert.equal(f.dial + f.hangup, f.calls);
    });

    it('the JSON report: setup, latency per kind of request against the budget, throughput', () => {
      assert.deepEqual(
        Object.keys(report).sort(),
        [
          'concurrency',
          'customers',
          'errors',
          'findings',
          'funnel',
          'latency',
          'limit',
          'mix',
          'ratePerSecond',
          'seed',
          'stopped',
          'throughput',
          'timeoutMs',
          'url',
        ].sort(),
      );
      assert.deepEqual(
        [report.concurrency, report.ratePerSecond, report.timeoutMs, report.seed, report.stopped],
        [20, null, 5000, SEED, null],
      );
      assert.deepEqual(report.limit, { calls: 200 });
      assert.deepEqual(report.customers, { rows: 50, callable: 50, skipped: 0 });
      assert.equal(report.latency.budgetMs, 2000);
      // Greeting per call; a Gather action per keypress; the no-input calls follow two Redirects (re-prompt, goodbye).
      assert.deepEqual(
        [report.latency.passthru.count, report.latency.gather.count, report.latency.other.count],
        [200, 150, 100],
      );
      for (const kind of ['passthru', 'gather', 'other'] as const) {
        const stats = report.latency[kind];
        assert.ok(stats.p50 !== null && stats.p95 !== null && stats.p99 !== null && stats.max !== null);
        assert.ok(
          stats.p50 <= stats.p95 && stats.p95 <= stats.p99 && stats.p99 <= stats.max,
          `${kind} percentiles in order`,
        );
        assert.equal(typeof stats.overBudget, 'number');
      }
      assert.equal(report.throughput.requests, 450);
      assert.ok(
        report.throughput.callsPerSecond > 0 && report.throughput.requestsPerSecond > report.throughput.callsPerSecond,
      );
      assert.equal(report.findings, 0, 'serve answers clean ExoML');
      assert.deepEqual(report.errors, []);
    });

    it("the server's call rows: one per call, with the keys pressed and the outcome", async () => {
      const rows = await server().history.listCalls({ limit: 1000 });
      assert.equal(rows.length, CALLS);
      const count = (test: (row: (typeof rows)[number]) => boolean) => rows.filter(test).length;
      assert.equal(
        count((row) => row.digits === '1' && row.outcome === 'agent_transfer'),
        100,
      );
      assert.equal(
        count((row) => row.digits === '2' && row.outcome === 'declined'),
        50,
      );
      assert.equal(
        count((row) => row.outcome === 'no_input'),
        50,
      );
      assert.equal(new Set(rows.map((row) => row.customer_id)).size, 50, 'the 50 customers, cycled four times');
    });
  });
}
