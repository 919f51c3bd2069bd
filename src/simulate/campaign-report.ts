/**
 * The campaign in numbers: the funnel (greeted → pressed → where the call went), latency percentiles per kind
 * of request against Exotel's budget, throughput, and the commonest error reasons. Plain data: `--json` prints
 * it as is and the table view reads it. Pure.
 */
import type { CallSummary, StepKind } from './campaign-call.ts';
import { isSlow } from './campaign-call.ts';
import type { DigitShare } from './campaign-plan.ts';
import type { CampaignResult } from './campaign-run.ts';
import { SLOW_MS } from './response.ts';
import { latencyStats, type LatencyStats } from './campaign-stats.ts';

type Funnel = {
  calls: number;
  greeted: number;
  pressed1: number;
  pressedOther: number;
  noInput: number;
  dial: number;
  hangup: number;
  errors: number;
  timeouts: number;
};

export type StepLatency = LatencyStats & { overBudget: number };

export type CampaignSetup = {
  url: string;
  seed: string;
  concurrency: number;
  ratePerSecond: number | undefined;
  timeoutMs: number;
  limit: { calls: number } | { durationMs: number };
  customers: { rows: number; callable: number; skipped: number };
  mix: readonly DigitShare[];
};

export type CampaignReport = Omit<CampaignSetup, 'mix' | 'ratePerSecond'> & {
  ratePerSecond: number | null;
  mix: Array<{ keys: string; percent: number; planned: number }>;
  funnel: Funnel;
  latency: { budgetMs: number } & Record<StepKind, StepLatency>;
  throughput: { wallMs: number; requests: number; callsPerSecond: number; requestsPerSecond: number };
  findings: number;
  errors: Array<{ reason: string; calls: number }>;
  stopped: CampaignResult['stopped'] | null;
};

const STEP_KINDS: readonly StepKind[] = ['passthru', 'gather', 'other'];
const TOP_ERRORS = 5;

function funnelOf(calls: readonly CallSummary[]): Funnel {
  const count = (test: (call: CallSummary) => boolean) => calls.filter(test).length;
  return {
    calls: calls.length,
    greeted: count((c) => c.greeted),
    pressed1: count((c) => c.pressed === 'one'),
    pressedOther: count((c) => c.pressed === 'other'),
    noInput: count((c) => c.pressed === 'no-input'),
    dial: count((c) => c.end === 'dial'),
    hangup: count((c) => c.end === 'hangup'),
    errors: count((c) => c.end === 'error'),
    timeouts: count((c) => c.end === 'timeout'),
  };
}

function latencyOf(calls: readonly CallSummary[]): CampaignReport['latency'] {
  const byKind = new Map<StepKind, number[]>(STEP_KINDS.map((kind) => [kind, []]));
  for (const call of calls) for (const { kind, ms } of call.latencies) byKind.get(kind)?.push(ms);
  const entry = (kind: StepKind): StepLatency => {
    const values = byKind.get(kind) ?? [];
    return { ...latencyStats(values), overBudget: values.filter(isSlow).length };
  };
  return { budgetMs: SLOW_MS, passthru: entry('passthru'), gather: entry('gather'), other: entry('other') };
}

function topErrors(calls: readonly CallSummary[]): CampaignReport['errors'] {
  const counts = new Map<string, number>();
  for (const call of calls) if (call.reason !== undefined) counts.set(call.reason, (counts.get(call.reason) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_ERRORS)
    .map(([reason, n]) => ({ reason, calls: n }));
}

const perSecond = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 100_000) / 100 : 0);

export function buildCampaignReport(setup: CampaignSetup, result: CampaignResult): CampaignReport {
  const { calls } = result;
  const requests = calls.reduce((sum, call) => sum + call.requests, 0);
  const planned = (label: string) => calls.filter((call) => call.planned === label).length;
  return {
    url: setup.url,
    seed: setup.seed,
    concurrency: setup.concurrency,
    ratePerSecond: setup.ratePerSecond ?? null,
    timeoutMs: setup.timeoutMs,
    limit: setup.limit,
    customers: setup.customers,
    mix: setup.mix.map((share) => ({ keys: share.label, percent: share.weight, planned: planned(share.label) })),
    funnel: funnelOf(calls),
    latency: latencyOf(calls),
    throughput: {
      wallMs: Math.round(result.wallMs),
      requests,
      callsPerSecond: perSecond(calls.length, result.wallMs),
      requestsPerSecond: perSecond(requests, result.wallMs),
    },
    findings: calls.reduce((sum, call) => sum + call.findings, 0),
    errors: topErrors(calls),
    stopped: result.stopped ?? null,
  };
}
