/**
 * How `simulate campaign` shows itself: a progress bar on stderr while calls run (terminal only: a log or a pipe
 * gets nothing), then the report as cli-table3 tables in the style of `inspect`.
 */
import type { ChalkInstance } from 'chalk';
import type { CampaignReport, StepLatency } from '../../../simulate/campaign-report.ts';
import type { CliContext } from '../../context.ts';
import { renderTable } from '../inspect/view.ts';

export type CampaignProgress = { update: (done: number, errors: number) => void; stop: () => void };

/** `total` is the number of calls when known (--calls), else the bar counts calls without an end. */
export async function createCampaignProgress(
  ctx: CliContext,
  total: number | undefined,
): Promise<CampaignProgress | undefined> {
  if (ctx.io.stderr.isTTY !== true) return undefined;
  const { default: progress } = await import('cli-progress');
  const format =
    total === undefined
      ? 'campaign {value} calls | {errors} failed'
      : 'campaign [{bar}] {value}/{total} calls | {errors} failed | ETA {eta_formatted}';
  const bar = new progress.SingleBar(
    { stream: ctx.io.stderr, format, hideCursor: null, etaBuffer: 50 },
    progress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { errors: 0 });
  return {
    update: (done, errors) => bar.update(done, { errors }),
    stop: () => bar.stop(),
  };
}

const share = (n: number, of: number) => (of === 0 ? '' : `${((n / of) * 100).toFixed(1)}%`);

function funnelRows(report: CampaignReport, color: ChalkInstance): string[][] {
  const { funnel: f } = report;
  const bad = (n: number) => (n > 0 ? color.red(String(n)) : String(n));
  return [
    ['calls', String(f.calls), ''],
    ['greeted', String(f.greeted), share(f.greeted, f.calls)],
    ['pressed 1', String(f.pressed1), share(f.pressed1, f.calls)],
    ['pressed other', String(f.pressedOther), share(f.pressedOther, f.calls)],
    ['no input', String(f.noInput), share(f.noInput, f.calls)],
    ['dial', String(f.dial), share(f.dial, f.calls)],
    ['hangup', String(f.hangup), share(f.hangup, f.calls)],
    ['errors', bad(f.errors), share(f.errors, f.calls)],
    ['timeouts', bad(f.timeouts), share(f.timeouts, f.calls)],
  ];
}

function latencyRow(name: string, stats: StepLatency, color: ChalkInstance): string[] {
  const ms = (value: number | null) => (value === null ? '-' : String(value));
  const over = stats.overBudget > 0 ? color.yellow(String(stats.overBudget)) : '0';
  return [name, String(stats.count), ms(stats.p50), ms(stats.p95), ms(stats.p99), ms(stats.max), over];
}

function heading(report: CampaignReport): string {
  const rate = report.ratePerSecond === null ? 'no rate limit' : `at most ${report.ratePerSecond} calls/s`;
  const skipped = report.customers.skipped > 0 ? ` (${report.customers.skipped} row(s) skipped)` : '';
  const limit =
    'calls' in report.limit ? `${report.limit.calls} calls` : `calls started for ${report.limit.durationMs / 1000} s`;
  const mix = report.mix.map((m) => `${m.keys} ×${m.planned}`).join(' · ');
  return [
    `campaign ${report.url}`,
    `  ${limit} · concurrency ${report.concurrency} · ${rate} · ${report.customers.callable} customers${skipped}`,
    `  keys planned (seed "${report.seed}"): ${mix}`,
  ].join('\n');
}

export function renderCampaign(report: CampaignReport, color: ChalkInstance): string {
  const { latency, throughput } = report;
  const funnel = renderTable({ head: ['FUNNEL', 'CALLS', 'SHARE'], rows: funnelRows(report, color) }, color, '  ');
  const head = ['REQUEST', 'COUNT', 'P50 MS', 'P95 MS', 'P99 MS', 'MAX MS', `OVER ${latency.budgetMs} MS`];
  const rows = [
    latencyRow('first Passthru', latency.passthru, color),
    latencyRow('Gather action', latency.gather, color),
    latencyRow('other', latency.other, color),
  ];
  const blocks = [heading(report), funnel, renderTable({ head, rows }, color, '  ')];
  const seconds = (throughput.wallMs / 1000).toFixed(2);
  blocks.push(
    `  wall time ${seconds} s · ${throughput.callsPerSecond} calls/s · ${throughput.requests} requests, ${throughput.requestsPerSecond}/s · ${report.findings} findings`,
  );
  if (report.errors.length > 0)
    blocks.push(report.errors.map((e) => color.red(`  ${e.calls}× ${e.reason}`)).join('\n'));
  if (report.stopped === 'interrupted')
    blocks.push(color.yellow('  interrupted: no new calls were started after Ctrl-C'));
  return blocks.join('\n\n');
}
