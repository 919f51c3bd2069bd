/** `stream`'s text report: the timeline, then latency, barge-in, rule breaks, warnings and expectations. */
import type { ExpectationResult } from '../../../stream/expect.ts';
import type { StreamReport } from '../../../stream/types.ts';
import type { Output } from '../../output.ts';

function pad(text: string, width: number): string {
  return text.length >= width ? text : `${' '.repeat(width - text.length)}${text}`;
}

function summary(report: StreamReport): string[] {
  const { bot } = report;
  const latency = report.latencyMs === undefined ? 'not measured (no caller speech answered)' : `${report.latencyMs} ms (caller speech end → first bot audio)`;
  const bargeIn =
    report.bargeIns.length === 0
      ? 'none (the caller never spoke over the bot)'
      : report.bargeIns.map((b) => (b.clearedAtMs === undefined ? `at ${b.atMs} ms, not cleared` : `at ${b.atMs} ms, cleared after ${b.clearedAtMs - b.atMs} ms`)).join('; ');
  return [
    `call:      ${report.durationMs} ms, stop ${report.stopReason}; caller ${report.caller.audioMs} ms of audio in ${report.caller.frames} frames, keys ${report.caller.dtmf.join('') || 'none'}`,
    `bot audio: ${bot.playedMs} ms played (${bot.clearedMs} ms cleared) from ${bot.mediaFrames} media frames; ${bot.marks} marks (${bot.marksEchoed} answered), ${bot.clears} clears`,
    `latency:   ${latency}`,
    `barge-in:  ${bargeIn}`,
  ];
}

export function renderReport(out: Output, report: StreamReport, expectations: readonly ExpectationResult[]): void {
  const c = out.color;
  for (const entry of report.timeline) {
    const who = entry.who === 'bot' ? c.cyan('bot   ') : c.dim('exotel');
    const event = entry.event.startsWith('violation') ? c.red(entry.event) : entry.event;
    out.result(`${pad(String(entry.atMs), 6)} ms  ${who}  ${event}${entry.detail ? c.dim(`  ${entry.detail}`) : ''}`);
  }
  out.result('');
  for (const line of summary(report)) out.result(line);
  out.result(report.violations.length === 0 ? `violations: ${c.green('none')}` : c.red(`violations: ${report.violations.length}`));
  for (const v of report.violations) out.result(`  ${c.red(v.rule)} at ${v.atMs} ms: ${v.detail}`);
  for (const w of report.warnings) out.result(`${c.yellow('warning:')} ${w.kind}: ${w.detail}`);
  for (const e of expectations) out.result(`expect ${e.expectation}: ${e.ok ? c.green('ok') : c.red('FAILED')} (${e.detail})`);
}
