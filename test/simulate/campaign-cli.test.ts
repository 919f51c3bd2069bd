/**
 * `exo-passthru simulate campaign` in-process (runCli) against real node:http webhooks: exit 1 and the count when
 * some calls get a 500 or no answer, exit 3 quickly on a closed port, exit 2 with the flag named for every usage
 * error, the table view, the progress bar only on a terminal, and `simulate` itself unchanged beside it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CampaignReport } from '../../src/simulate/campaign-report.ts';
import { runCli } from '../support/cli.ts';
import { closedPort } from '../support/services.ts';
import { customersCsv, startCampaignFake, type CampaignFake } from '../support/fake-campaign-webhook.ts';

let dir: string;
let csv: string;
let fake: CampaignFake;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-campaign-'));
  csv = join(dir, 'customers.csv');
  await writeFile(csv, customersCsv(10));
  fake = await startCampaignFake({ fail: (id) => id === 'C3' || id === 'C7', hang: (id) => id === 'C5' });
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function campaignJson(args: string[]): Promise<{ code: number; report: CampaignReport; stderr: string }> {
  const res = await runCli(['--json', 'simulate', 'campaign', ...args]);
  return { code: res.code, report: JSON.parse(res.stdout) as CampaignReport, stderr: res.stderr };
}

describe('simulate campaign CLI', () => {
  it('500s and silent answers: counted as errors and timeouts, the reasons listed, exit 1', async () => {
    const { code, report, stderr } = await campaignJson([
      fake.url,
      '--csv',
      csv,
      '--calls',
      '20',
      '--concurrency',
      '5',
      '--timeout',
      // Long enough that an answering call is never late on a loaded CI machine; the silent ones still hit it.
      '2000',
    ]);
    assert.equal(code, 1, stderr);
    assert.deepEqual([report.funnel.calls, report.funnel.errors, report.funnel.timeouts], [20, 4, 2]);
    assert.equal(report.funnel.greeted, 14);
    assert.equal(report.funnel.dial + report.funnel.hangup + report.funnel.errors + report.funnel.timeouts, 20);
    assert.match(report.errors[0]?.reason ?? '', /^HTTP 500 Internal Server Error \(body: "boom"\)/);
    assert.equal(report.errors[0]?.calls, 4);
    assert.match(report.errors[1]?.reason ?? '', /^no complete answer within 2000 ms/);
    assert.match(stderr, /4 call\(s\) errored and 2 timed out; exit 1/);
  });

  it('every call answered: exit 0 (also with --strict: infos only); the table shows funnel, latency against the budget, throughput', async () => {
    const healthy = await startCampaignFake();
    try {
      const res = await runCli([
        'simulate',
        'campaign',
        healthy.url,
        '--csv',
        csv,
        '--dtmf',
        '1:50,none:50',
        '--concurrency',
        '3',
      ]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(
        res.stdout,
        /^campaign http:\/\/127\.0\.0\.1:\d+\/passthru\n {2}10 calls · concurrency 3 · no rate limit · 10 customers\n/,
      );
      assert.match(res.stdout, /keys planned \(seed "exo-passthru"\): 1 ×5 · none ×5/);
      assert.match(res.stdout, /^ {2}pressed 1 +5 +50\.0%$/m);
      assert.match(res.stdout, /^ {2}no input +5 +50\.0%$/m);
      assert.match(res.stdout, /^ {2}REQUEST +COUNT +P50 MS +P95 MS +P99 MS +MAX MS +OVER 2000 MS$/m);
      assert.match(res.stdout, /^ {2}first Passthru +10 +\d+ +\d+ +\d+ +\d+ +0$/m);
      assert.match(res.stdout, /^ {2}Gather action +5 /m);
      assert.match(res.stdout, /wall time \d+\.\d\d s · [\d.]+ calls\/s · 15 requests/);
      assert.equal(res.stderr, '', 'no progress bar when stderr is not a terminal');
      // This webhook omits the XML declaration and uses a relative action, as Exotel's own examples do: those
      // are infos, which --strict does not fail on (they once were warnings that did).
      const strict = await runCli(['simulate', 'campaign', healthy.url, '--csv', csv, '--calls', '2', '--strict']);
      assert.equal(strict.code, 0, strict.stderr);
      assert.doesNotMatch(strict.stderr, /--strict: .*exit 1/);
    } finally {
      await healthy.close();
    }
  });

  it('on a terminal, a progress bar on stderr', async () => {
    const healthy = await startCampaignFake();
    try {
      const res = await runCli(['simulate', 'campaign', healthy.url, '--csv', csv, '--calls', '4'], { tty: true });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /campaign \[[^\]]*\] 4\/4 calls \| 0 failed/);
    } finally {
      await healthy.close();
    }
  });

  it('a closed port: exit 3 after a handful of refused calls, not thousands', async () => {
    const started = performance.now();
    const res = await runCli([
      '--json',
      'simulate',
      'campaign',
      `http://127.0.0.1:${await closedPort()}/passthru`,
      '--csv',
      csv,
      '--calls',
      '5000',
    ]);
    assert.equal(res.code, 3);
    assert.ok(performance.now() - started < 3000);
    assert.match(res.stderr, /\[exo-passthru\] \[server\] connection refused by 127\.0\.0\.1:\d+/);
    const report = JSON.parse(res.stdout) as CampaignReport;
    assert.equal(report.stopped, 'unreachable');
    assert.ok(report.funnel.calls < 20, `${report.funnel.calls} calls`);
    const pretty = await runCli([
      'simulate',
      'campaign',
      `http://127.0.0.1:${await closedPort()}/passthru`,
      '--csv',
      csv,
      '--calls',
      '5000',
    ]);
    assert.equal(pretty.code, 3);
    assert.equal(pretty.stdout, '', 'no table of zeros');
    assert.match(
      pretty.stderr,
      /^\d+ call\(s\) refused before any answer; no further calls were started\nerror: \[exo-passthru\] \[server\] connection refused/,
    );
  });

  it('usage errors: exit 2 naming the flag', async () => {
    const empty = join(dir, 'empty.csv');
    const headerOnly = join(dir, 'header.csv');
    await writeFile(empty, '');
    await writeFile(headerOnly, 'customer_id,customer_name,phone\n');
    const cases: Array<[string[], RegExp]> = [
      [[fake.url], /--csv <file> is required/],
      [[fake.url, '--csv', csv, '--dtmf', '1:40,2:30'], /--dtmf "1:40,2:30": the percentages add up to 70, not 100/],
      [[fake.url, '--csv', csv, '--dtmf', '1:50,x:50'], /--dtmf "1:50,x:50": "x:50" is not keys:percent/],
      [[fake.url, '--csv', csv, '--calls', '5', '--duration', '10s'], /--calls and --duration exclude each other/],
      [[fake.url, '--csv', csv, '--duration', '10'], /--duration "10": "10" is not a duration such as 60s/],
      [[fake.url, '--csv', csv, '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000/],
      [[fake.url, '--csv', csv, '--rate', 'fast'], /--rate must be calls per second/],
      [[fake.url, '--csv', csv, '--timeout', '0'], /--timeout must be a whole number/],
      [[fake.url, '--csv', empty], /--csv .*empty\.csv: the CSV is empty/],
      [[fake.url, '--csv', headerOnly], /--csv .*header\.csv: the CSV has a header but no customer rows/],
      [[fake.url, '--csv', join(dir, 'nope.csv')], /cannot read --csv .*nope\.csv/],
      [
        [fake.url, '--csv', csv, '--digits', '1'],
        /--digits is an option of a single simulate call, not of simulate campaign/,
      ],
      [['ftp://x/y', '--csv', csv], /absolute http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(['simulate', 'campaign', ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
      assert.equal(res.stdout, '');
    }
  });

  it('rows url would reject are skipped with a warning; the rest are called', async () => {
    const mixed = join(dir, 'mixed.csv');
    await writeFile(mixed, `${customersCsv(3)}C9,Bad Phone,12345,100,2030-01-01,en-IN\n`);
    const { code, report, stderr } = await campaignJson([fake.url, '--csv', mixed, '--dtmf', '2:100']);
    assert.equal(code, 1, 'C3 answers 500 on this fake');
    assert.match(stderr, /--csv .*mixed\.csv row 4 skipped: phone_invalid/);
    assert.deepEqual(report.customers, { rows: 4, callable: 3, skipped: 1 });
    assert.equal(report.funnel.calls, 3);
  });

  it('simulate itself is unchanged: its help lists campaign, a single call still plays, campaign --help has examples', async () => {
    const help = await runCli(['simulate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: exo-passthru simulate \[options\] \[command\] \[url\]/);
    assert.match(help.stdout, /campaign \[options\] \[url\] +play whole calls/);
    const one = await runCli(['--json', 'simulate', fake.url, '--digits', '1', '--customer-id', 'C1']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal((JSON.parse(one.stdout) as { outcome: { kind: string } }).outcome.kind, 'dial');
    const campaignHelp = await runCli(['simulate', 'campaign', '--help']);
    assert.equal(campaignHelp.code, 0);
    assert.match(campaignHelp.stdout, /Usage: exo-passthru simulate campaign \[options\] \[url\]/);
    assert.match(campaignHelp.stdout, /Examples:\n {2}\$ exo-passthru simulate campaign --csv customers\.csv/);
  });
});
