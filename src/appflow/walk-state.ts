/**
 * The state of one walk and its HTTP exchanges (src/http/: no redirects followed, a time budget, failures as data):
 * every applet request carries the call details, what earlier applets added (`digits`, the dial result) and the
 * time of the request, appended to the URL's own query string (docs/exotel-protocol.md §1.1, §10.2).
 */
import type { Dispatcher } from 'undici';
import { formatIst } from '../exotel/call.ts';
import type { Finding } from '../exoml/finding.ts';
import { httpRequest } from '../http/client.ts';
import type { AppletFlow } from './types.ts';
import type { AppletExchange, FlowCallRecord, FlowEnding, FlowEvent } from './walk-types.ts';

/** The keys the caller presses at a Gather (structurally simulate's digit source). */
type KeySource = {
  next: (question: {
    numDigits?: number | undefined;
    finishOnKey: string;
    timeoutSeconds: number;
    prompt: string;
  }) => Promise<{ keys: string; source: string }>;
};

export type WalkOptions = {
  flow: AppletFlow;
  /** Relative applet URLs (`/exotel/gather`) resolve against it. */
  base: string;
  /** The call details every applet request carries (exotel/call.ts passthruCallParams, plus CustomField). */
  callParams: Readonly<Record<string, string>>;
  keys: KeySource;
  /** Where the terminal StatusCallback goes (none: not sent). */
  statusCallback?: { url: string; json: boolean };
  /** Budget per applet request. */
  timeoutMs: number;
  /** Applets per call before the loop guard stops it (default 30). */
  maxSteps?: number;
  dispatcher?: Dispatcher;
  now?: () => Date;
  onEvent?: (event: FlowEvent) => void;
};

const MAX_BYTES = 64 * 1024;
export const EXOTEL_VERSION = { 'exotel-version': '1.0' };

export type Walk = {
  options: WalkOptions;
  record: FlowCallRecord;
  emit: (event: FlowEvent) => void;
  /** Parameters added by earlier applets: `digits` after a Gather, the dial result after a Connect. */
  carried: Record<string, string>;
  noInput: boolean;
  dialled?: string[];
};

export type Turn = { next: string } | { end: FlowEnding };

export function resolveAppletUrl(url: string, base: string): string {
  return /^https?:\/\//i.test(url) ? url : new URL(url, base).toString();
}

function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const encoded = Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  if (encoded === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${encoded}`;
}

export async function exchange(
  walk: Walk,
  method: 'GET' | 'HEAD',
  rawUrl: string,
  headers: Record<string, string> = {},
): Promise<AppletExchange> {
  const params = { ...walk.options.callParams, ...walk.carried, CurrentTime: formatIst(now(walk)) };
  const url = withQuery(resolveAppletUrl(rawUrl, walk.options.base), params);
  const result = await httpRequest({
    url,
    method,
    headers: { 'user-agent': 'exo-passthru-simulate', ...headers },
    timeoutMs: walk.options.timeoutMs,
    maxBytes: MAX_BYTES,
    ...(walk.options.dispatcher ? { dispatcher: walk.options.dispatcher } : {}),
  });
  if (!result.ok) {
    const unreachable = result.reason === 'refused' || result.reason === 'not_found';
    const silent = result.reason === 'timeout' || result.reason === 'aborted';
    if (unreachable) walk.record.unreachable = true;
    const error = silent
      ? `no complete answer within ${walk.options.timeoutMs} ms`
      : `${result.reason}${result.code ? ` (${result.code})` : ''}: ${result.message}`;
    return {
      method,
      url,
      params,
      ms: result.ms,
      error,
      ...(unreachable ? { unreachable } : {}),
      ...(silent ? { silent } : {}),
    };
  }
  const body = Buffer.from(result.body).toString('utf8');
  return { method, url, params, status: result.status, contentType: result.contentType ?? '', body, ms: result.ms };
}

export const now = (walk: Walk) => (walk.options.now ?? (() => new Date()))();

export function failed(exchange: AppletExchange, what: string): FlowEnding {
  const why = exchange.error ?? `HTTP ${exchange.status}`;
  return {
    kind: 'error',
    reason: `the ${what} URL failed (${why}): Exotel cannot play this applet`,
    ...(exchange.unreachable ? { unreachable: true } : {}),
  };
}

export function errorsIn(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'error');
}

export function parseJsonObject(body: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** How the call ended when it reached a Hangup (or the end of the flow). */
export function ending(walk: Walk, where: string): FlowEnding {
  if (walk.dialled)
    return { kind: 'dial', numbers: walk.dialled, reason: `the agent call ended; ${where} ends the call` };
  if (walk.noInput) return { kind: 'no-input', reason: `no key pressed; ${where} ends the call` };
  return { kind: 'hangup', reason: `${where} ends the call` };
}
