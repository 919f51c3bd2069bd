/** `stream`'s expectations, checked on the finished report: the bot spoke, answered in time, cleared on barge-in. */
import type { StreamReport } from './types.ts';

export type StreamExpectation = { kind: 'audio' } | { kind: 'latency'; maxMs: number } | { kind: 'clear-on-barge-in' };

export const STREAM_EXPECT_FORMS = ['audio', 'latency<1500ms', 'clear-on-barge-in'] as const;

export type ExpectationResult = { expectation: string; ok: boolean; detail: string };

function describe(e: StreamExpectation): string {
  return e.kind === 'latency' ? `latency<${e.maxMs}ms` : e.kind;
}

function check(report: StreamReport, e: StreamExpectation): { ok: boolean; detail: string } {
  switch (e.kind) {
    case 'audio':
      return report.bot.audioBytes > 0 ? { ok: true, detail: `${report.bot.playedMs} ms of bot audio played` } : { ok: false, detail: 'the bot sent no audio' };
    case 'latency': {
      const measured = report.responses.filter((r) => r.latencyMs !== undefined).map((r) => r.latencyMs as number);
      if (report.responses.length === 0) return { ok: false, detail: 'no caller speech to answer (give caller audio)' };
      if (measured.length < report.responses.length) return { ok: false, detail: 'the bot did not answer every time the caller stopped speaking' };
      const worst = Math.max(...measured);
      return { ok: worst < e.maxMs, detail: `slowest answer ${worst} ms` };
    }
    case 'clear-on-barge-in': {
      if (report.bargeIns.length === 0) return { ok: false, detail: 'the caller never spoke over the bot' };
      const missed = report.bargeIns.filter((b) => b.clearedAtMs === undefined).length;
      return { ok: missed === 0, detail: missed === 0 ? `${report.bargeIns.length} barge-in(s), each cleared` : `${missed} of ${report.bargeIns.length} barge-in(s) not cleared` };
    }
  }
}

export function checkExpectations(report: StreamReport, expectations: readonly StreamExpectation[]): ExpectationResult[] {
  return expectations.map((e) => ({ expectation: describe(e), ...check(report, e) }));
}
