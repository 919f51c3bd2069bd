/**
 * The Voicebot applet's WebSocket frames (docs/exotel-protocol.md §6.3): the JSON text frames Exotel sends, the
 * ones a bot may send back, and the bot's media chunk rules. Pure: frames are built and read here; sockets live
 * in stream/ (Exotel's side, played by `stream`) and server/ (the bundled bot).
 */
export const FRAME_BYTES = 320; // 20 ms of 8 kHz 16-bit mono
const MIN_CHUNK_BYTES = 3200; // 200 ms at 8 kHz (Exotel says "100ms", true only at 16 kHz)
const MAX_CHUNK_BYTES = 100_000;
const MAX_CUSTOM_PARAMS = 3;
const MAX_CUSTOM_CHARS = 256;

export type StartInfo = {
  streamSid: string;
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  customParameters: Record<string, string>;
};

type Frame = Record<string, unknown>;

export const connectedFrame = (): Frame => ({ event: 'connected' });

export function startFrame(seq: number, info: StartInfo): Frame {
  return {
    event: 'start',
    sequence_number: seq,
    stream_sid: info.streamSid,
    start: {
      stream_sid: info.streamSid,
      call_sid: info.callSid,
      account_sid: info.accountSid,
      from: info.from,
      to: info.to,
      custom_parameters: info.customParameters,
      media_format: { encoding: 'raw/slin', sample_rate: '8000', bit_rate: '128kbps' },
    },
  };
}

export function mediaFrame(seq: number, streamSid: string, chunk: number, timestampMs: number, pcm: Buffer): Frame {
  return { event: 'media', sequence_number: seq, stream_sid: streamSid, media: { chunk, timestamp: String(timestampMs), payload: pcm.toString('base64') } };
}

export function dtmfFrame(seq: number, streamSid: string, digit: string, durationMs: number): Frame {
  return { event: 'dtmf', sequence_number: seq, stream_sid: streamSid, dtmf: { duration: String(durationMs), digit } };
}

export function markFrame(seq: number | undefined, streamSid: string, name: string): Frame {
  return { event: 'mark', ...(seq === undefined ? {} : { sequence_number: seq }), stream_sid: streamSid, mark: { name } };
}

export function stopFrame(seq: number, streamSid: string, info: Pick<StartInfo, 'callSid' | 'accountSid'>, reason: 'stopped' | 'callended'): Frame {
  return { event: 'stop', sequence_number: seq, stream_sid: streamSid, stop: { call_sid: info.callSid, account_sid: info.accountSid, reason } };
}

/** What the bot sends back: media with raw PCM (no sequence number needed). */
export const botMediaFrame = (streamSid: string, pcm: Buffer): Frame => ({ event: 'media', stream_sid: streamSid, media: { payload: pcm.toString('base64') } });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: the alphabet, padding only at the end, a length that is a multiple of 4. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** Why a bot media chunk of this many bytes breaks §6.3's rules (empty when it keeps them). */
export function chunkProblems(bytes: number): string[] {
  const problems: string[] = [];
  if (bytes % FRAME_BYTES !== 0) problems.push(`${bytes} bytes is not a multiple of ${FRAME_BYTES}`);
  if (bytes < MIN_CHUNK_BYTES) problems.push(`${bytes} bytes is under the ${MIN_CHUNK_BYTES}-byte minimum`);
  if (bytes > MAX_CHUNK_BYTES) problems.push(`${bytes} bytes is over the ${MAX_CHUNK_BYTES}-byte maximum`);
  return problems;
}

/** Custom parameters as Exotel takes them from the stream URL's query: at most 3, 256 characters in all. */
export function customParamsProblem(query: string): string | undefined {
  const count = [...new URLSearchParams(query).keys()].length;
  if (count > MAX_CUSTOM_PARAMS) return `${count} custom parameters: at most ${MAX_CUSTOM_PARAMS}`;
  if (query.length > MAX_CUSTOM_CHARS) return `custom parameters are ${query.length} characters: at most ${MAX_CUSTOM_CHARS}`;
  return undefined;
}

export type ParsedFrame = { ok: true; event: string; streamSid: string | undefined; body: Record<string, unknown> } | { ok: false; reason: string };

/** A text frame as JSON with a string `event`; the event's own object (media, mark, dtmf, …) as `body`. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const frame = value as Record<string, unknown>;
  if (typeof frame.event !== 'string') return { ok: false, reason: 'no "event"' };
  const inner = frame[frame.event];
  const body = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ok: true, event: frame.event, streamSid: typeof frame.stream_sid === 'string' ? frame.stream_sid : undefined, body };
}

/** PCM cut into chunks a bot may send: 3200 bytes (200 ms) each, the last padded with silence. */
export function chunkPcm(pcm: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < pcm.length; at += MIN_CHUNK_BYTES) {
    const chunk = Buffer.alloc(MIN_CHUNK_BYTES);
    pcm.copy(chunk, 0, at, Math.min(pcm.length, at + MIN_CHUNK_BYTES));
    out.push(chunk);
  }
  return out;
}
