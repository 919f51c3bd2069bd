/** The report of one Voicebot stream played by `stream` (docs/exotel-protocol.md §6.3): data only. */
export type Who = 'exotel' | 'bot';

export type TimelineEntry = { atMs: number; who: Who; event: string; detail?: string };

export type ViolationRule =
  | 'bad-json'
  | 'unknown-event'
  | 'media-before-start'
  | 'bad-base64'
  | 'chunk-size'
  | 'chunk-too-small'
  | 'chunk-too-large';

export type Violation = { atMs: number; rule: ViolationRule; detail: string };

/** Not against the rules, but worth knowing: a bot that never marks, a barge-in the bot did not clear. */
export type Warning = { atMs: number; kind: 'no-marks' | 'no-clear-on-barge-in' | 'unanswered-speech'; detail: string };

export type Response = { speechEndMs: number; firstAudioMs: number | undefined; latencyMs: number | undefined };

export type BargeIn = { atMs: number; clearedAtMs: number | undefined };

export type StreamReport = {
  url: string;
  streamSid: string;
  callSid: string;
  durationMs: number;
  /** `interrupted`: the user stopped the run (Ctrl-C); the bot was sent `stop` with reason `callended`. */
  stopReason: 'stopped' | 'callended' | 'bot-closed' | 'interrupted';
  caller: { audioMs: number; frames: number; dtmf: string[] };
  bot: {
    mediaFrames: number;
    audioBytes: number;
    playedMs: number;
    clearedMs: number;
    marks: number;
    marksEchoed: number;
    clears: number;
  };
  responses: Response[];
  /** Latency of the first response to caller speech: speech end → the bot's first audio after it. */
  latencyMs: number | undefined;
  bargeIns: BargeIn[];
  violations: Violation[];
  warnings: Warning[];
  timeline: TimelineEntry[];
};
