/**
 * Whole calls against a running server, many at once, as Exotel makes them: the Passthru GET, then the
 * Gather action from the answer with the digit. Used by the fault tests, which check afterwards that every call
 * answered 200 has its history.
 */
import { Pool } from 'undici';
import { find, parseResponse } from './exoml.ts';

export type CallResult = { sid: string; answered: boolean; statuses: number[]; slowestMs: number; error?: string };

async function step(pool: Pool, path: string, method: 'GET' | 'POST', body?: string) {
  const started = performance.now();
  const res = await pool.request({
    path,
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, ms: performance.now() - started };
}

async function playCall(pool: Pool, origin: string, sid: string): Promise<CallResult> {
  const statuses: number[] = [];
  let slowestMs = 0;
  try {
    const first = await step(pool, `/passthru-handler?CallSid=${sid}&customer_id=C-${sid}&customer_name=Asha&amount=1500&CallFrom=09876543210&CallTo=08047112233`, 'GET');
    statuses.push(first.status);
    slowestMs = first.ms;
    const action = find(parseResponse(first.text), 'Gather')[0]?.attrs.action;
    if (first.status !== 200 || action === undefined) return { sid, answered: false, statuses, slowestMs };
    const url = new URL(action, origin);
    const second = await step(pool, `${url.pathname}${url.search}`, 'POST', 'DigitsPressed=1');
    statuses.push(second.status);
    slowestMs = Math.max(slowestMs, second.ms);
    parseResponse(second.text);
    return { sid, answered: second.status === 200, statuses, slowestMs };
  } catch (error) {
    return { sid, answered: false, statuses, slowestMs, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Play every call, `concurrency` at a time, over one keep-alive pool. */
export async function playCalls(origin: string, sids: readonly string[], concurrency = 32): Promise<CallResult[]> {
  const pool = new Pool(origin, { connections: concurrency });
  const results: CallResult[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sids.length; i = next++) results.push(await playCall(pool, origin, sids[i] as string));
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  return results;
}

export const callSids = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
