/**
 * Runs a campaign: starts calls (customers in CSV order, cycling; keys from the digit plan) with at most
 * `concurrency` in flight, no faster than `ratePerSecond`, until `calls` have started or `durationMs` has passed;
 * every call on one keep-alive undici Agent, closed at the end. When the first calls are all refused, it stops
 * starting new ones: a campaign against a server that is down is one finding, not thousands.
 * The clock and the sleep are injected so tests check the start schedule without waiting for it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { NormalizedCustomer } from '../customers/normalize-row.ts';
import { errorMessage } from '../errors.ts';
import { playCampaignCall, type CallSettings, type CallSpec, type CallSummary } from './campaign-call.ts';
import type { DigitShare } from './campaign-plan.ts';

export type CampaignOptions = Omit<CallSettings, 'dispatcher'> & {
  customers: readonly NormalizedCustomer[];
  plan: (index: number) => DigitShare;
  concurrency: number;
  /** Stop after this many calls, or stop starting calls after this many milliseconds (one of the two). */
  calls?: number;
  durationMs?: number;
  ratePerSecond?: number;
  /** Refused calls, before any answer, after which no new call starts (default 5). */
  unreachableAfter?: number;
  /** Monotonic milliseconds (default performance.now) and a sleep on that clock. */
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Defaults to an Agent of its own with `concurrency` connections. */
  dispatcher?: Dispatcher;
  /** Stop starting calls (Ctrl-C); the calls in flight finish. */
  signal?: AbortSignal;
  onCall?: (summary: CallSummary, progress: { started: number; done: number }) => void;
};

export type CampaignResult = {
  calls: CallSummary[];
  wallMs: number;
  /** No call got an answer and the server refused them: the reason of the first refusal. */
  unreachable: string | undefined;
  /** Why calls stopped before the planned number or duration, if they did. */
  stopped: 'unreachable' | 'interrupted' | undefined;
};

const realSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}).catch(() => {});

/** Start times: call k no earlier than the one before plus 1/rate; a start held back (concurrency) shifts the rest. */
function createStartGate(options: CampaignOptions, elapsed: () => number) {
  const interval = options.ratePerSecond === undefined ? 0 : 1000 / options.ratePerSecond;
  const sleep = options.sleep ?? realSleep;
  let next = 0;
  return async (started: number): Promise<number | undefined> => {
    if (options.calls !== undefined && started >= options.calls) return undefined;
    const wait = next - elapsed();
    if (wait > 0) await sleep(wait, options.signal);
    const now = elapsed();
    if (options.signal?.aborted || (options.durationMs !== undefined && now >= options.durationMs)) return undefined;
    next = now - next >= interval ? now + interval : next + interval;
    return now;
  };
}

type RunState = { started: number; done: number; calls: CallSummary[]; refused: number; answered: boolean; firstRefusal?: string; stop?: 'unreachable' };

function record(state: RunState, summary: CallSummary, limit: number): void {
  state.done += 1;
  state.calls.push(summary);
  if (summary.answered) state.answered = true;
  if (!summary.unreachable || state.answered) return;
  state.refused += 1;
  state.firstRefusal ??= summary.reason;
  if (state.refused >= limit) state.stop = 'unreachable';
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  if (options.customers.length === 0) throw new Error('runCampaign: no customers');
  const clock = options.clock ?? (() => performance.now());
  const t0 = clock();
  const elapsed = () => clock() - t0;
  const dispatcher = options.dispatcher ?? new Agent({ connections: options.concurrency });
  const { url, exophone, key, timeoutMs, maxSteps, digitParam, names } = options;
  const settings: CallSettings = {
    url,
    exophone,
    timeoutMs,
    dispatcher,
    ...(key !== undefined ? { key } : {}),
    ...(maxSteps ? { maxSteps } : {}),
    ...(digitParam ? { digitParam } : {}),
    ...(names ? { names } : {}),
  };
  const gate = createStartGate(options, elapsed);
  const limit = Math.min(options.unreachableAfter ?? 5, options.calls ?? Number.POSITIVE_INFINITY);
  const state: RunState = { started: 0, done: 0, calls: [], refused: 0, answered: false };
  const inFlight = new Set<Promise<void>>();
  try {
    while (state.stop === undefined) {
      if (inFlight.size >= options.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const startMs = await gate(state.started);
      if (startMs === undefined || state.stop !== undefined) break;
      const spec = specFor(options, state.started, startMs);
      state.started += 1;
      const call = playSafely(spec, settings, elapsed).then((summary) => {
        record(state, summary, limit);
        options.onCall?.(summary, { started: state.started, done: state.done });
      });
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    }
    await Promise.all(inFlight);
  } finally {
    if (options.dispatcher === undefined) await dispatcher.close();
  }
  return finish(state, elapsed(), options.signal?.aborted === true);
}

/** A bug in one call must not leave the others running unwatched: it becomes that call's error. */
async function playSafely(spec: CallSpec, settings: CallSettings, elapsed: () => number): Promise<CallSummary> {
  try {
    return await playCampaignCall(spec, settings, elapsed);
  } catch (error) {
    const reason = `the simulator failed: ${errorMessage(error)}`;
    const empty = { greeted: false, pressed: undefined, unreachable: false, answered: false, latencies: [], requests: 0, findings: 0 };
    return { index: spec.index, customerId: spec.customer.customer_id, planned: spec.planned.label, startMs: spec.startMs, endMs: elapsed(), end: 'error', reason, ...empty };
  }
}

function specFor(options: CampaignOptions, index: number, startMs: number): CallSpec {
  const customer = options.customers[index % options.customers.length] as NormalizedCustomer;
  return { index, customer, planned: options.plan(index), startMs };
}

function finish(state: RunState, wallMs: number, interrupted: boolean): CampaignResult {
  const calls = state.calls.sort((a, b) => a.index - b.index);
  // Stopped on the early refusals (even if a straggler answered after), or every call refused: the server is down.
  const allRefused = !state.answered && state.refused > 0 && state.refused === state.done;
  const unreachable = state.stop === 'unreachable' || allRefused ? (state.firstRefusal ?? 'unreachable') : undefined;
  const stopped = state.stop ?? (interrupted ? 'interrupted' : undefined);
  return { calls, wallMs, unreachable, stopped };
}
