/**
 * What happened on one stream, as it happens: the timeline, rule breaks, the caller's speech and the bot's
 * replies (latency), barge-ins (caller speech over the bot's audio) and whether a `clear` followed. Pure.
 */
import { BYTES_PER_MS } from '../util/pcm.ts';
import type { StartInfo } from '../exotel/voicebot.ts';
import type { BargeIn, Response, StreamReport, TimelineEntry, Violation, ViolationRule, Warning, Who } from './types.ts';

export type Tally = {
  note: (atMs: number, who: Who, event: string, detail?: string) => void;
  violation: (atMs: number, rule: ViolationRule, detail: string) => void;
  callerFrame: (atMs: number, speech: boolean, botPlaying: boolean) => void;
  dtmf: (atMs: number, digit: string) => void;
  botMedia: (atMs: number, bytes: number) => void;
  botMark: (atMs: number, name: string) => void;
  botClear: (atMs: number, droppedBytes: number) => void;
  markEchoed: (atMs: number, name: string) => void;
  played: (atMs: number, bytes: number) => void;
  lastActivityMs: () => number;
  /** The caller stopped speaking and the bot has not answered yet (for at most `withinMs`). */
  awaitingReply: (nowMs: number, withinMs: number) => boolean;
  report: (end: { url: string; info: StartInfo; durationMs: number; stopReason: StreamReport['stopReason']; audioBytes: number; frames: number }) => StreamReport;
};

const ms = (bytes: number) => Math.round(bytes / BYTES_PER_MS);

export function createTally(): Tally {
  const timeline: TimelineEntry[] = [];
  const violations: Violation[] = [];
  const responses: Response[] = [];
  const bargeIns: BargeIn[] = [];
  const digits: string[] = [];
  const bot = { mediaFrames: 0, audioBytes: 0, playedBytes: 0, clearedBytes: 0, marks: 0, marksEchoed: 0, clears: 0 };
  let speaking = false;
  let bargedThisTurn = false;
  let last = 0;
  let playing = false;
  const note = (atMs: number, who: Who, event: string, detail?: string) => {
    timeline.push({ atMs: Math.round(atMs), who, event, ...(detail === undefined ? {} : { detail }) });
  };
  return {
    note,
    violation: (atMs, rule, detail) => {
      violations.push({ atMs: Math.round(atMs), rule, detail });
      note(atMs, 'bot', `violation ${rule}`, detail);
    },
    callerFrame: (atMs, speech, botPlaying) => {
      if (speech && !speaking) note(atMs, 'exotel', 'caller speech starts');
      if (!speech && speaking) {
        note(atMs, 'exotel', 'caller speech ends');
        responses.push({ speechEndMs: Math.round(atMs), firstAudioMs: undefined, latencyMs: undefined });
        bargedThisTurn = false;
      }
      if (speech && botPlaying && !bargedThisTurn) {
        bargedThisTurn = true;
        bargeIns.push({ atMs: Math.round(atMs), clearedAtMs: undefined });
        note(atMs, 'exotel', 'barge-in', 'the caller speaks over the bot');
      }
      if (speech) last = atMs;
      speaking = speech;
    },
    dtmf: (atMs, digit) => {
      digits.push(digit);
      last = atMs;
      note(atMs, 'exotel', 'dtmf', digit);
    },
    botMedia: (atMs, bytes) => {
      bot.mediaFrames++;
      bot.audioBytes += bytes;
      last = atMs;
      for (const r of responses) {
        if (r.firstAudioMs !== undefined) continue;
        r.firstAudioMs = Math.round(atMs);
        r.latencyMs = Math.round(atMs) - r.speechEndMs;
      }
      note(atMs, 'bot', 'media', `${bytes} bytes (${ms(bytes)} ms)`);
    },
    botMark: (atMs, name) => {
      bot.marks++;
      last = atMs;
      note(atMs, 'bot', 'mark', name);
    },
    botClear: (atMs, droppedBytes) => {
      bot.clears++;
      bot.clearedBytes += droppedBytes;
      last = atMs;
      for (const b of bargeIns) b.clearedAtMs ??= Math.round(atMs);
      note(atMs, 'bot', 'clear', `${ms(droppedBytes)} ms of queued audio dropped`);
    },
    markEchoed: (atMs, name) => {
      bot.marksEchoed++;
      note(atMs, 'exotel', 'mark', name);
    },
    played: (atMs, bytes) => {
      if (bytes === 0) {
        playing = false;
        return;
      }
      bot.playedBytes += bytes;
      last = atMs;
      if (!playing) note(atMs, 'exotel', 'plays bot audio');
      playing = true;
    },
    lastActivityMs: () => last,
    awaitingReply: (nowMs, withinMs) => responses.some((r) => r.firstAudioMs === undefined && nowMs - r.speechEndMs < withinMs),
    report: (end) => {
      const warnings: Warning[] = [];
      if (bot.audioBytes > 0 && bot.marks === 0) warnings.push({ atMs: 0, kind: 'no-marks', detail: 'the bot sent audio but no mark: it cannot know what the caller heard' });
      for (const b of bargeIns) {
        if (b.clearedAtMs === undefined) warnings.push({ atMs: b.atMs, kind: 'no-clear-on-barge-in', detail: 'the caller spoke over the bot and no clear followed' });
      }
      for (const r of responses) {
        if (r.firstAudioMs === undefined) warnings.push({ atMs: r.speechEndMs, kind: 'unanswered-speech', detail: 'no bot audio after the caller stopped speaking' });
      }
      return {
        url: end.url,
        streamSid: end.info.streamSid,
        callSid: end.info.callSid,
        durationMs: Math.round(end.durationMs),
        stopReason: end.stopReason,
        caller: { audioMs: ms(end.audioBytes), frames: end.frames, dtmf: digits },
        bot: { mediaFrames: bot.mediaFrames, audioBytes: bot.audioBytes, playedMs: ms(bot.playedBytes), clearedMs: ms(bot.clearedBytes), marks: bot.marks, marksEchoed: bot.marksEchoed, clears: bot.clears },
        responses,
        latencyMs: responses[0]?.latencyMs,
        bargeIns,
        violations,
        warnings,
        timeline,
      };
    },
  };
}
