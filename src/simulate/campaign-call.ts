/**
 * One call of a campaign: the first Passthru request for a customer, played by the same engine as `simulate`
 * (simulateCall) on the campaign's shared dispatcher, then boiled down to what the report counts, so a run of
 * thousands of calls keeps a few numbers per call instead of every transcript.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { NormalizedCustomer } from '../customers/normalize-row.ts';
import { createCallSid } from '../exotel/call.ts';
import { simulateCall } from './call.ts';
import { createDigitSource, type DigitFlavour } from './digits.ts';
import { buildFirstRequest } from './exotel-request.ts';
import { SLOW_MS } from './response.ts';
import type { CallRecord, InputNames, Step } from './types.ts';

/** The first Passthru hit, a request carrying a Gather's keys, anything else (Redirect, Dial/Record actions). */
export type StepKind = 'passthru' | 'gather' | 'other';
type CallEnd = 'dial' | 'hangup' | 'error' | 'timeout';
/** What the caller did on the first Gather, when the call reached one. */
type Pressed = 'one' | 'other' | 'no-input';

export type CallSummary = {
  index: number;
  customerId: string;
  /** The planned share's label: the keys, or "none". */
  planned: string;
  /** Milliseconds since the campaign started (the campaign's clock). */
  startMs: number;
  endMs: number;
  greeted: boolean;
  pressed: Pressed | undefined;
  end: CallEnd;
  reason: string | undefined;
  /** The server refused the connection or its host is unknown. */
  unreachable: boolean;
  /** At least one HTTP response came back. */
  answered: boolean;
  latencies: Array<{ kind: StepKind; ms: number }>;
  /** Requests sent, answered or not. */
  requests: number;
  findings: number;
};

/** What every call of the campaign shares. */
export type CallSettings = {
  url: string;
  exophone: string;
  key?: string;
  timeoutMs: number;
  maxSteps?: number;
  digitParam?: DigitFlavour;
  dispatcher: Dispatcher;
  /** How the caller names its inputs in reason texts (the CLI: its flags). */
  names?: InputNames;
};

export type CallSpec = { index: number; customer: NormalizedCustomer; planned: { label: string; keys: string }; startMs: number };

// The engine reports a spent time budget only in its reason text (simulate/http.ts); the campaign test pins it.
const TIMEOUT_REASON = /^no complete answer within \d+ ms/;

function stepKind(steps: readonly Step[], index: number): StepKind {
  if (index === 0) return 'passthru';
  const last = steps[index - 1]?.verbs.at(-1);
  return last?.verb === 'Gather' && last.input?.kind === 'keys' ? 'gather' : 'other';
}

function firstInput(record: CallRecord): Pressed | undefined {
  for (const step of record.steps) {
    for (const verb of step.verbs) {
      if (verb.verb !== 'Gather' || verb.input === undefined) continue;
      if (verb.input.kind === 'no-input') return 'no-input';
      return verb.input.digits === '1' ? 'one' : 'other';
    }
  }
  return undefined;
}

function callEnd(record: CallRecord): CallEnd {
  const { outcome } = record;
  if (outcome.kind === 'dial') return 'dial';
  if (outcome.kind !== 'error') return 'hangup';
  const failed = record.steps.at(-1)?.error;
  return failed !== undefined && TIMEOUT_REASON.test(failed) ? 'timeout' : 'error';
}

function summarizeCall(record: CallRecord, spec: CallSpec, endMs: number): CallSummary {
  const first = record.steps[0];
  const status = first?.response?.status ?? 0;
  const hears = first?.verbs.some((verb) => verb.verb === 'Say' || verb.verb === 'Play' || verb.verb === 'Gather') ?? false;
  const latencies = record.steps.flatMap((step, index) => (step.response ? [{ kind: stepKind(record.steps, index), ms: step.response.ms }] : []));
  return {
    index: spec.index,
    customerId: spec.customer.customer_id,
    planned: spec.planned.label,
    startMs: spec.startMs,
    endMs,
    greeted: status >= 200 && status < 300 && hears,
    pressed: firstInput(record),
    end: callEnd(record),
    reason: record.outcome.kind === 'error' ? record.outcome.reason : undefined,
    unreachable: record.outcome.kind === 'error' && record.outcome.unreachable === true,
    answered: latencies.length > 0,
    latencies,
    requests: record.steps.length,
    // infos (opinions Exotel's own examples do not follow) do not count: --strict fails on this number.
    findings: record.steps.reduce((sum, step) => sum + step.findings.filter((f) => f.severity !== 'info').length, 0),
  };
}

/** Over Exotel's budget: the same threshold that gives a single `simulate` step its latency finding. */
export const isSlow = (ms: number): boolean => ms > SLOW_MS;

export async function playCampaignCall(spec: CallSpec, settings: CallSettings, clock: () => number): Promise<CallSummary> {
  const startedAt = new Date();
  const first = buildFirstRequest({
    url: settings.url,
    callSid: createCallSid(randomBytes),
    customer: spec.customer,
    phone: spec.customer.phone,
    exophone: settings.exophone,
    ...(settings.key !== undefined ? { key: settings.key } : {}),
    startedAt,
    now: startedAt,
  });
  const input = spec.planned.keys === '' ? { noInput: true } : { groups: [spec.planned.keys] };
  const record = await simulateCall({
    first,
    input: createDigitSource(input),
    timeoutMs: settings.timeoutMs,
    dispatcher: settings.dispatcher,
    ...(settings.maxSteps !== undefined ? { maxSteps: settings.maxSteps } : {}),
    ...(settings.digitParam !== undefined ? { digitParam: settings.digitParam } : {}),
    ...(settings.names !== undefined ? { names: settings.names } : {}),
  });
  return summarizeCall(record, spec, clock());
}
