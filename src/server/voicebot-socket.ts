/**
 * The bundled Voicebot's WebSocket (docs/exotel-protocol.md §6.3): greets the caller with a tone, answers each
 * DTMF key with its own dual tone, sends audio in 3200-byte chunks (multiples of 320 bytes) each followed by a
 * mark, and records the stream as a session and history events, like a call through the webhooks.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { botMediaFrame, chunkPcm, markFrame, parseFrame } from '../exotel/voicebot.ts';
import type { CallSession } from '../domain/call.ts';
import type { HistoryWriter, SessionStore } from '../stores/ports.ts';
import { silence, tone } from '../util/pcm.ts';
import type { Logger } from './logger.ts';
import { VOICEBOT_SOCKET_PATH } from './routes/voicebot.ts';

type VoicebotDeps = { sessions: SessionStore; writer: HistoryWriter; logger: Logger; sessionTtl: number; now?: () => Date };

export type VoicebotSockets = {
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close: () => Promise<void>;
};

const KEYPAD: Record<string, readonly [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477], '4': [770, 1209], '5': [770, 1336], '6': [770, 1477],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477], '*': [941, 1209], '0': [941, 1336], '#': [941, 1477],
};

const GREETING = () => Buffer.concat([tone([440], 600), silence(100), tone([660], 300)]);
const keyTone = (digit: string) => Buffer.concat([tone(KEYPAD[digit] ?? [480, 620], 200), silence(100)]);

type Stream = { streamSid: string; session: CallSession; stopped: boolean };

function play(ws: WebSocket, streamSid: string, pcm: Buffer, mark: string): void {
  for (const chunk of chunkPcm(pcm)) ws.send(JSON.stringify(botMediaFrame(streamSid, chunk)));
  ws.send(JSON.stringify(markFrame(undefined, streamSid, mark)));
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

async function onStart(deps: VoicebotDeps, ws: WebSocket, body: Record<string, unknown>): Promise<Stream> {
  const at = (deps.now?.() ?? new Date()).toISOString();
  const streamSid = text(body.stream_sid);
  const custom = typeof body.custom_parameters === 'object' && body.custom_parameters !== null ? (body.custom_parameters as Record<string, unknown>) : {};
  const session: CallSession = { callSid: text(body.call_sid) || streamSid, language: 'en', state: 'greeted', attempts: 0, from: text(body.from), to: text(body.to), createdAt: at, updatedAt: at };
  play(ws, streamSid, GREETING(), 'greeting');
  const params = { StreamSID: streamSid, From: session.from ?? '', To: session.to ?? '', ...Object.fromEntries(Object.entries(custom).map(([k, v]) => [k, text(v)])) };
  await deps.sessions.put(session, deps.sessionTtl);
  await deps.writer.recordCallStart({ callSid: session.callSid, status: 'in-progress', language: 'en', exotelParams: params, event: { kind: 'voicebot_start', detail: { streamSid } } });
  return { streamSid, session, stopped: false };
}

async function onDtmf(deps: VoicebotDeps, ws: WebSocket, stream: Stream, digit: string): Promise<void> {
  play(ws, stream.streamSid, keyTone(digit), `dtmf-${digit}`);
  const session = { ...stream.session, digits: `${stream.session.digits ?? ''}${digit}`, digitSource: 'voicebot-dtmf', updatedAt: (deps.now?.() ?? new Date()).toISOString() };
  stream.session = session;
  await deps.sessions.put(session, deps.sessionTtl);
  await deps.writer.recordCallUpdate({ callSid: session.callSid, digits: session.digits, event: { kind: 'voicebot_dtmf', detail: { digit } } });
}

async function onStop(deps: VoicebotDeps, stream: Stream, reason: string): Promise<void> {
  if (stream.stopped) return;
  stream.stopped = true;
  const session: CallSession = { ...stream.session, state: 'ended', updatedAt: (deps.now?.() ?? new Date()).toISOString() };
  await deps.sessions.put(session, deps.sessionTtl);
  await deps.writer.recordCallUpdate({ callSid: session.callSid, status: 'completed', ended: true, end: { stream: { StreamSID: stream.streamSid, Status: reason } }, event: { kind: 'voicebot_stop', detail: { reason } } });
}

function serve(deps: VoicebotDeps, ws: WebSocket): void {
  let stream: Stream | undefined;
  let work: Promise<void> = Promise.resolve();
  const then = (step: () => Promise<void>) => {
    work = work.then(step).catch((error: unknown) => deps.logger.error('voicebot: a store write failed', error));
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = parseFrame(String(data));
    if (!frame.ok) return;
    if (frame.event === 'start' && !stream) {
      then(async () => {
        stream = await onStart(deps, ws, frame.body);
      });
    }
    else if (frame.event === 'dtmf') then(async () => (stream ? onDtmf(deps, ws, stream, text(frame.body.digit) || String(frame.body.digit)) : undefined));
    else if (frame.event === 'stop') then(async () => (stream ? onStop(deps, stream, text(frame.body.reason) || 'stopped') : undefined));
  });
  ws.on('close', () => then(async () => (stream ? onStop(deps, stream, 'socket-closed') : undefined)));
}

export function createVoicebotSockets(deps: VoicebotDeps): VoicebotSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (ws) => serve(deps, ws));
  return {
    upgrade: (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== VOICEBOT_SOCKET_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
