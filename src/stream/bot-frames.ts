/**
 * A frame from the bot read against docs/exotel-protocol.md §6.3: what it asks Exotel to do (play audio, mark,
 * clear) and which rules it breaks. Pure; the session adds the time.
 */
import { chunkProblems, decodeBase64, parseFrame } from '../exotel/voicebot.ts';
import type { ViolationRule } from './types.ts';

type BotAction = { kind: 'media'; pcm: Buffer } | { kind: 'mark'; name: string } | { kind: 'clear' } | { kind: 'none' };

type Problem = { rule: ViolationRule; detail: string };

export type ReadFrame = { action: BotAction; problems: Problem[] };

const NONE: BotAction = { kind: 'none' };

function chunkRule(detail: string): ViolationRule {
  if (detail.includes('multiple')) return 'chunk-size';
  return detail.includes('minimum') ? 'chunk-too-small' : 'chunk-too-large';
}

function readMedia(body: Record<string, unknown>, streamSid: string | undefined, expected: string): ReadFrame {
  const problems: Problem[] = [];
  if (streamSid !== expected) {
    const why = streamSid === undefined ? 'no stream_sid' : `stream_sid ${JSON.stringify(streamSid)} is not the one in start`;
    problems.push({ rule: 'media-before-start', detail: `media with ${why}: sent before start was read?` });
  }
  const payload = typeof body.payload === 'string' ? decodeBase64(body.payload) : undefined;
  if (payload === undefined) {
    problems.push({ rule: 'bad-base64', detail: typeof body.payload === 'string' ? 'media.payload is not valid base64' : 'media.payload is missing' });
    return { action: NONE, problems };
  }
  for (const detail of chunkProblems(payload.length)) problems.push({ rule: chunkRule(detail), detail: `media chunk: ${detail}` });
  return { action: { kind: 'media', pcm: payload.subarray(0, payload.length - (payload.length % 2)) }, problems };
}

/** `streamSid`: the one Exotel sent in start; bot media without it was sent before start was read. */
export function readBotFrame(text: string, streamSid: string): ReadFrame {
  const frame = parseFrame(text);
  if (!frame.ok) return { action: NONE, problems: [{ rule: 'bad-json', detail: `${frame.reason}: ${text.slice(0, 80)}` }] };
  switch (frame.event) {
    case 'media':
      return readMedia(frame.body, frame.streamSid, streamSid);
    case 'mark': {
      const name = typeof frame.body.name === 'string' ? frame.body.name : '';
      return { action: { kind: 'mark', name }, problems: [] };
    }
    case 'clear':
      return { action: { kind: 'clear' }, problems: [] };
    default:
      return { action: NONE, problems: [{ rule: 'unknown-event', detail: `event ${JSON.stringify(frame.event)} is not one a bot sends (media, mark, clear)` }] };
  }
}
