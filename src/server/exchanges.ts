/**
 * The exchanges serve saw: each webhook request with its answer, kept in a bounded in-memory ring (never a store:
 * the oldest falls out when the ring is full). The browser call inspector (`/_inspect`) and `serve --record` both
 * read it; subscribers hear every exchange as it completes. Values are kept as they came in: whoever shows or
 * saves them masks phone numbers and names (inspect/ and scenarios/ own that).
 */
import type { NextFunction, Request, Response } from 'express';

export type Exchange = {
  /** Increases by one per exchange for the life of the log; never reused. */
  id: number;
  /** When the request arrived, ISO 8601 UTC. */
  at: string;
  /** The call the request belongs to, when a route named one (`res.locals.callSid`). */
  callSid: string | undefined;
  method: string;
  /** The path as it came in (no query string). */
  path: string;
  /** The request target as it came in: path and query string, for replay. */
  url: string;
  /** Query parameters, first value of each. */
  query: Record<string, string>;
  /** A form or JSON body's fields as strings, when the route parsed one. */
  body: Record<string, string> | undefined;
  /** The request headers a replay needs (content type, Exotel-Version, user agent). */
  headers: Record<string, string>;
  status: number;
  contentType: string | undefined;
  /** The answer's body as text, cut at RESPONSE_LIMIT characters. */
  response: string;
  /** True when `response` was cut. */
  truncated: boolean;
  /** Time from the request's arrival to the answer's last byte. */
  ms: number;
};

type ExchangeListener = (exchange: Exchange) => void;

export type ExchangeLog = {
  /** Oldest first. */
  list(): Exchange[];
  /** One call's exchanges, oldest first. */
  forCall(callSid: string): Exchange[];
  get(id: number): Exchange | undefined;
  /** Returns the unsubscribe function. A listener that throws is dropped, never the request. */
  subscribe(listener: ExchangeListener): () => void;
  /** The express middleware that fills the log; mount it before the routes it should see. */
  middleware(): (req: Request, res: Response, next: NextFunction) => void;
  readonly capacity: number;
};

const RESPONSE_LIMIT = 64 * 1024;
const KEPT_HEADERS = ['content-type', 'exotel-version', 'user-agent', 'accept'] as const;

/** Paths the log never records: its own readers and the admin API. */
function ignored(path: string): boolean {
  return path.startsWith('/admin') || path.startsWith('/_inspect') || path === '/health';
}

function firstValues(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof source !== 'object' || source === null) return out;
  for (const [key, value] of Object.entries(source)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null) continue;
    out[key] = typeof first === 'string' ? first : typeof first === 'object' ? JSON.stringify(first) : String(first);
  }
  return out;
}

export function createExchangeLog(capacity = 500): ExchangeLog {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1`);
  const ring: Exchange[] = [];
  const listeners = new Set<ExchangeListener>();
  let nextId = 1;

  const add = (exchange: Exchange) => {
    ring.push(exchange);
    if (ring.length > capacity) ring.shift();
    for (const listener of listeners) {
      try {
        listener(exchange);
      } catch {
        listeners.delete(listener);
      }
    }
  };

  const middleware = () => (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
    if (ignored(path)) {
      next();
      return;
    }
    const started = performance.now();
    const at = new Date().toISOString();
    const chunks: string[] = [];
    let length = 0;
    let truncated = false;
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || truncated) return;
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
            : '';
      const room = RESPONSE_LIMIT - length;
      if (text.length > room) {
        chunks.push(text.slice(0, room));
        length = RESPONSE_LIMIT;
        truncated = true;
        return;
      }
      chunks.push(text);
      length += text.length;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => {
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const body = req.body !== undefined && typeof req.body === 'object' ? firstValues(req.body) : undefined;
      const contentType = res.getHeader('content-type');
      add({
        id: nextId++,
        at,
        callSid: typeof res.locals.callSid === 'string' && res.locals.callSid ? res.locals.callSid : undefined,
        method: req.method,
        path,
        url: req.originalUrl,
        query: firstValues(req.query),
        body: body && Object.keys(body).length > 0 ? body : undefined,
        headers,
        status: res.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        response: chunks.join(''),
        truncated,
        ms: performance.now() - started,
      });
    });
    next();
  };

  return {
    capacity,
    list: () => [...ring],
    forCall: (callSid) => ring.filter((e) => e.callSid === callSid),
    get: (id) => ring.find((e) => e.id === id),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    middleware,
  };
}
