/**
 * Reaching the bot as Exotel does (docs/exotel-protocol.md §6.3): a ws(s) URL is used as is; an http(s) URL is
 * fetched with `Exotel-Version: 1.0` and must answer JSON `{"url": "ws(s)://…"}`. The socket is `ws`, loaded on
 * first use. Failures come back as data (`reason`), for the caller to word.
 */
import { httpRequest } from '../http/client.ts';
import type { StreamSocket } from './session.ts';

export type Resolved = { ok: true; url: string; via: string | undefined } | { ok: false; unreachable: boolean; reason: string };

function wsUrl(text: string): string | undefined {
  return URL.canParse(text) && /^wss?:$/.test(new URL(text).protocol) ? text : undefined;
}

function urlFromBody(body: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    const url = typeof value === 'object' && value !== null && 'url' in value ? value.url : undefined;
    return typeof url === 'string' ? wsUrl(url) : undefined;
  } catch {
    return undefined;
  }
}

export async function resolveStreamUrl(url: string, timeoutMs: number): Promise<Resolved> {
  if (wsUrl(url)) return { ok: true, url, via: undefined };
  const answer = await httpRequest({ url, method: 'GET', headers: { 'Exotel-Version': '1.0', accept: 'application/json' }, timeoutMs, maxBytes: 64 * 1024 });
  if (!answer.ok) return { ok: false, unreachable: true, reason: `${url}: ${answer.message}` };
  if (answer.status < 200 || answer.status > 299) return { ok: false, unreachable: false, reason: `${url} answered HTTP ${answer.status}, not 2xx` };
  const resolved = urlFromBody(answer.body);
  if (!resolved) return { ok: false, unreachable: false, reason: `${url} did not answer JSON {"url": "ws(s)://…"}` };
  return { ok: true, url: resolved, via: url };
}

export type Opened = { ok: true; socket: StreamSocket } | { ok: false; reason: string };

/** Open the WebSocket; resolves once it is open, or with the reason it could not be. */
export async function openStreamSocket(url: string, timeoutMs: number): Promise<Opened> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return new Promise((resolve) => {
    ws.once('error', (error) => resolve({ ok: false, reason: error.message }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, reason: `HTTP ${res.statusCode} instead of a WebSocket upgrade` });
      ws.terminate();
    });
    // Frames that arrive before the session listens (a bot that talks first) are kept, not lost.
    const early: string[] = [];
    let deliver: (text: string) => void = (text) => {
      early.push(text);
    };
    ws.on('message', (data, isBinary) => deliver(isBinary ? `<binary frame of ${String(rawLength(data))} bytes>` : rawText(data)));
    ws.once('open', () => {
      ws.on('error', () => {}); // after open, a failure shows as a close
      const socket: StreamSocket = {
        send: (text) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        },
        onMessage: (listener) => {
          deliver = listener;
          for (const text of early.splice(0)) listener(text);
        },
        closed,
        close: () => ws.close(1000),
      };
      resolve({ ok: true, socket });
    });
  });
}

type RawData = Buffer | ArrayBuffer | Buffer[];

function rawText(data: RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

function rawLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}
