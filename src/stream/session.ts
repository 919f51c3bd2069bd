/**
 * One Voicebot stream played from Exotel's side (docs/exotel-protocol.md §6.3) over a socket the caller opened:
 * `connected` and `start`, the caller's audio as 20 ms `media` frames, `dtmf` at their times, the bot's audio
 * played in call time (marks answered once played, `clear` honoured), `stop` at the end. Time comes from the
 * injected clock; with `fast`, waits are skipped while there is audio to send or play, but not while a reply to
 * the caller's speech is awaited, so latency is measured in real time.
 */
import { rms } from '../util/pcm.ts';
import {
  connectedFrame,
  dtmfFrame,
  FRAME_BYTES,
  markFrame,
  mediaFrame,
  type StartInfo,
  startFrame,
  stopFrame,
} from '../exotel/voicebot.ts';
import { readBotFrame } from './bot-frames.ts';
import type { Clock } from './clock.ts';
import { createPlayback } from './playback.ts';
import { createTally, type Tally } from './tally.ts';
import type { StreamReport } from './types.ts';

export type StreamSocket = {
  send: (text: string) => void;
  onMessage: (listener: (text: string) => void) => void;
  /** Resolves when the socket has closed, from either side. */
  closed: Promise<void>;
  close: () => void;
};

export type DtmfPress = { digit: string; atMs: number };

export type StreamOptions = {
  url: string;
  socket: StreamSocket;
  clock: Clock;
  fast: boolean;
  /** The caller's audio, 8 kHz 16-bit mono; silence follows it until the end. */
  audio: Buffer;
  dtmf: readonly DtmfPress[];
  info: StartInfo;
  durationMs: number;
  /** Hang up once audio and keys are sent, nothing plays, and neither side did anything for this long. */
  idleMs: number;
  /** Ends the call early (Ctrl-C): within one 20 ms tick, `stop` is sent as if the caller hung up. */
  signal?: AbortSignal;
};

export type StreamResult = { report: StreamReport; recording: Buffer };

const TICK_MS = 20;
const SPEECH_RMS = 300;
const DTMF_MS = 250;

type Run = {
  options: StreamOptions;
  tally: Tally;
  playback: ReturnType<typeof createPlayback>;
  seq: number;
  chunk: number;
  botClosed: boolean;
};

function send(run: Run, frame: Record<string, unknown>): void {
  run.options.socket.send(JSON.stringify(frame));
}

function onBotText(run: Run, text: string): void {
  const { tally, playback, options } = run;
  const now = options.clock.now();
  const { action, problems } = readBotFrame(text, options.info.streamSid);
  for (const problem of problems) tally.violation(now, problem.rule, problem.detail);
  if (action.kind === 'media') {
    playback.enqueueAudio(action.pcm);
    tally.botMedia(now, action.pcm.length);
  } else if (action.kind === 'mark') {
    playback.enqueueMark(action.name);
    tally.botMark(now, action.name);
  } else if (action.kind === 'clear') {
    const { droppedBytes, marks } = playback.clear();
    tally.botClear(now, droppedBytes);
    for (const name of marks) echoMark(run, name);
  }
}

function echoMark(run: Run, name: string): void {
  send(run, markFrame(++run.seq, run.options.info.streamSid, name));
  run.tally.markEchoed(run.options.clock.now(), name);
}

function callerFrame(run: Run): Buffer {
  const { audio } = run.options;
  const at = run.chunk * FRAME_BYTES;
  const frame = Buffer.alloc(FRAME_BYTES);
  if (at < audio.length) audio.copy(frame, 0, at, Math.min(audio.length, at + FRAME_BYTES));
  return frame;
}

/** One 20 ms step: keys due, a caller frame, 20 ms of the bot's audio played. */
function tick(run: Run, pending: DtmfPress[], recording: Buffer[]): void {
  const { options, tally, playback } = run;
  const now = options.clock.now();
  while (pending.length > 0 && (pending[0]?.atMs ?? Number.POSITIVE_INFINITY) <= now) {
    const press = pending.shift() as DtmfPress;
    send(run, dtmfFrame(++run.seq, options.info.streamSid, press.digit, DTMF_MS));
    tally.dtmf(now, press.digit);
  }
  const frame = callerFrame(run);
  send(run, mediaFrame(++run.seq, options.info.streamSid, run.chunk + 1, run.chunk * TICK_MS, frame));
  run.chunk++;
  tally.callerFrame(now, rms(frame) >= SPEECH_RMS, playback.pending() > 0);
  const played = playback.advance(FRAME_BYTES);
  if (played.pcm.length > 0) recording.push(played.pcm);
  tally.played(now, played.pcm.length);
  for (const name of played.marks) echoMark(run, name);
}

function finished(run: Run, pending: readonly DtmfPress[]): 'stopped' | 'callended' | undefined {
  const { options, tally, playback } = run;
  const now = options.clock.now();
  if (now >= options.durationMs) return 'stopped';
  const busy = run.chunk * FRAME_BYTES < options.audio.length || pending.length > 0 || playback.pending() > 0;
  return !busy && now - tally.lastActivityMs() >= options.idleMs ? 'callended' : undefined;
}

function skippable(run: Run): boolean {
  if (!run.options.fast || run.tally.awaitingReply(run.options.clock.now(), run.options.idleMs)) return false;
  return run.chunk * FRAME_BYTES < run.options.audio.length || run.playback.pending() > 0;
}

async function loop(run: Run, recording: Buffer[]): Promise<StreamReport['stopReason']> {
  const { clock } = run.options;
  const pending = [...run.options.dtmf].sort((a, b) => a.atMs - b.atMs);
  let nextTick = clock.now();
  for (;;) {
    if (run.botClosed) return 'bot-closed';
    if (run.options.signal?.aborted) return 'interrupted';
    const reason = finished(run, pending);
    if (reason) return reason;
    tick(run, pending, recording);
    nextTick += TICK_MS;
    const wait = nextTick - clock.now();
    await (wait > 0 ? (skippable(run) ? clock.skip(wait) : clock.sleep(wait)) : clock.skip(0));
  }
}

async function closedWithin(socket: StreamSocket, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([socket.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export async function playStream(options: StreamOptions): Promise<StreamResult> {
  const { socket, clock, info } = options;
  const run: Run = { options, tally: createTally(), playback: createPlayback(), seq: 0, chunk: 0, botClosed: false };
  socket.onMessage((text) => onBotText(run, text));
  void socket.closed.then(() => {
    run.botClosed = true;
  });
  send(run, connectedFrame());
  run.tally.note(clock.now(), 'exotel', 'connected');
  send(run, startFrame(++run.seq, info));
  run.tally.note(clock.now(), 'exotel', 'start', `stream_sid=${info.streamSid} call_sid=${info.callSid}`);
  const recording: Buffer[] = [];
  const stopReason = await loop(run, recording);
  if (stopReason !== 'bot-closed') {
    // Exotel's stop knows only `stopped` and `callended` (docs/exotel-protocol.md §6.3): an interrupted run is
    // the caller hanging up, so the bot sees the end it would see from Exotel.
    const wire = stopReason === 'interrupted' ? 'callended' : stopReason;
    send(run, stopFrame(++run.seq, info.streamSid, info, wire));
    run.tally.note(clock.now(), 'exotel', 'stop', stopReason === 'interrupted' ? `${wire} (interrupted)` : wire);
    socket.close();
  } else run.tally.note(clock.now(), 'bot', 'closed the socket');
  await closedWithin(socket, 1000);
  const report = run.tally.report({
    url: options.url,
    info,
    durationMs: clock.now(),
    stopReason,
    audioBytes: options.audio.length,
    frames: run.chunk,
  });
  return { report, recording: Buffer.concat(recording) };
}
