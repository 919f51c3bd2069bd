/**
 * The terminal StatusCallback Exotel POSTs when a call ends (docs/exotel-protocol.md §6.2): multipart by default,
 * JSON when the call was started with `StatusCallbackContentType=application/json`; a non-2xx (or no answer within
 * 15 s) is retried at most twice. Shared by `simulate --flavor applet` and the mock Calls API.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { httpRequest } from '../http/client.ts';
import type { CallbackAttempt } from './walk-types.ts';

const CALLBACK_TIMEOUT_MS = 15_000;
const ATTEMPTS = 3;

export type CallbackOptions = {
  url: string;
  json: boolean;
  fields: Record<string, string>;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  onAttempt?: (attempt: CallbackAttempt) => void;
};

/** A StatusCallback body: multipart by default, JSON when asked (§6.2). */
function callbackBody(fields: Record<string, string>, json: boolean): { body: string; contentType: string } {
  if (json) return { body: JSON.stringify(fields), contentType: 'application/json' };
  const boundary = `exo${randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '')}"\r\n\r\n${v}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Up to 3 attempts; resolves with every attempt and whether one was answered 2xx. Never throws. */
export async function deliverStatusCallback(
  options: CallbackOptions,
): Promise<{ attempts: CallbackAttempt[]; delivered: boolean }> {
  const { body, contentType } = callbackBody(options.fields, options.json);
  const attempts: CallbackAttempt[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const result = await httpRequest({
      url: options.url,
      method: 'POST',
      headers: { 'content-type': contentType, 'user-agent': 'exo-passthru-status-callback' },
      body,
      timeoutMs: options.timeoutMs ?? CALLBACK_TIMEOUT_MS,
      maxBytes: 4096,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const done: CallbackAttempt = result.ok
      ? { attempt, status: result.status, ms: result.ms }
      : { attempt, error: `${result.reason}: ${result.message}`, ms: result.ms };
    attempts.push(done);
    options.onAttempt?.(done);
    if (result.ok && result.status >= 200 && result.status < 300) return { attempts, delivered: true };
  }
  return { attempts, delivered: false };
}
