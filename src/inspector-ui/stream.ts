/**
 * Server-sent events read with fetch, because EventSource cannot send the Authorization header. Reconnects after
 * a pause when the stream drops; stops for good on 401 or when aborted.
 */
import { type Api, Unauthorized } from './api.ts';

export type StreamHandlers = {
  onExchange: (data: { id: number; callSid: string | null }) => void;
  onState: (state: 'live' | 'reconnecting') => void;
  onUnauthorized: () => void;
};

const RETRY_MS = 2000;

/** The `data:` of every complete `exchange` frame in `buffer`, and what is left of it. */
function takeFrames(buffer: string): { events: string[]; rest: string } {
  const events: string[] = [];
  const frames = buffer.replaceAll('\r\n', '\n').split('\n\n');
  const rest = frames.pop() ?? '';
  for (const frame of frames) {
    const lines = frame.split('\n');
    if (!lines.includes('event: exchange')) continue;
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    if (data.length > 0) events.push(data.join('\n'));
  }
  return { events, rest };
}

export function followEvents(api: Api, handlers: StreamHandlers, signal: AbortSignal): void {
  const run = async () => {
    while (!signal.aborted) {
      try {
        const res = await api.events(signal);
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        handlers.onState('live');
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          const { events, rest } = takeFrames(buffer);
          buffer = rest;
          for (const data of events) handlers.onExchange(JSON.parse(data));
        }
      } catch (error) {
        if (error instanceof Unauthorized) {
          handlers.onUnauthorized();
          return;
        }
        if (signal.aborted) return;
      }
      handlers.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  void run();
}
