/** A Voicebot written for the tests: a real `ws` server whose behaviour each test scripts, rules broken on purpose. */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type BotFrame = { event: string; stream_sid?: string; media?: { payload?: string }; start?: { stream_sid?: string } };

/** Called for each frame Exotel's side sends; `send` writes a JSON (or raw text) frame back. */
export type Script = (frame: BotFrame, bot: { send: (value: unknown) => void; ws: WebSocket; frames: number }) => void;

export type FakeBot = { url: string; received: BotFrame[]; close: () => Promise<void> };

export async function startFakeBot(script: Script, onConnect?: (ws: WebSocket) => void): Promise<FakeBot> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: BotFrame[] = [];
  wss.on('connection', (ws) => {
    let frames = 0;
    onConnect?.(ws);
    const send = (value: unknown) => ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as BotFrame;
      received.push(frame);
      if (frame.event === 'media') frames++;
      script(frame, { send, ws, frames });
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/media`,
    received,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export const media = (sid: string | undefined, pcm: Buffer) => ({ event: 'media', ...(sid ? { stream_sid: sid } : {}), media: { payload: pcm.toString('base64') } });
