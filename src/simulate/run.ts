/**
 * `simulate` put together, for the CLI: the first request for the customer the CLI resolved, the call
 * loop on its own undici Agent (closed afterwards, so no keep-alive socket holds the process), the transcript
 * as it unfolds, the expectations and the JSON document. Options-object DI with production defaults.
 */
import { randomBytes } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { createCallSid, type CallDirection } from '../exotel/call.ts';
import type { NormalizedCustomer, RowWarning } from '../customers/normalize-row.ts';
import { simulateCall } from './call.ts';
import { createDigitSource, type DigitFlavour, type DigitSourceOptions } from './digits.ts';
import { buildFirstRequest } from './exotel-request.ts';
import { evaluateExpectations, type Expectation, type ExpectationResult } from './expect.ts';
import { formatClosing, formatEvent, toJsonDocument, type Line } from './report.ts';
import type { CallRecord, HttpMethod, InputNames, SimRequest } from './types.ts';

export type BuildCallOptions = {
  url: string;
  method: HttpMethod;
  /** E.164. */
  exophone: string;
  e164?: boolean;
  legacy?: boolean;
  direction?: CallDirection;
  documentedCreated?: boolean;
  overrides: ReadonlyArray<readonly [string, string]>;
  key?: string;
  /** The customer the call is about, resolved by the caller (defaults, CSV row, flags). */
  customer: { customer: NormalizedCustomer; warnings: readonly RowWarning[] };
  /** The URL carries its customer or a signature: send it as it is, `customer` gives only the caller's number. */
  urlCarriesCustomer?: boolean;
  now?: () => Date;
  random?: (size: number) => Buffer;
};

type RunOptions = {
  timeoutMs: number;
  maxSteps: number;
  digitParam: DigitFlavour;
  input: DigitSourceOptions;
  expectations: readonly Expectation[];
  /** Transcript lines as the call unfolds, then the closing lines. */
  onLines?: (lines: Line[]) => void;
  /** Requests on this origin are shown by path only. */
  origin: string;
  dispatcher?: Dispatcher;
  clock?: () => number;
  /** How the caller names its inputs in the transcript (the CLI: its flags). */
  names?: InputNames;
};

export type BuiltCall = {
  warnings: string[];
  run: (options: RunOptions) => Promise<{ record: CallRecord; results: ExpectationResult[] }>;
  json: (record: CallRecord, results: readonly ExpectationResult[]) => ReturnType<typeof toJsonDocument>;
};

export function buildCall(options: BuildCallOptions): BuiltCall {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? randomBytes;
  const startedAt = now();
  const { customer, warnings } = options.customer;
  const first = buildFirstRequest({
    url: options.url,
    method: options.method,
    callSid: createCallSid(random),
    customer,
    phone: customer.phone,
    exophone: options.exophone,
    ...(options.e164 ? { e164: true } : {}),
    ...(options.legacy ? { legacy: true } : {}),
    ...(options.direction ? { direction: options.direction } : {}),
    ...(options.documentedCreated ? { documentedCreated: true } : {}),
    overrides: options.overrides,
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.urlCarriesCustomer ? { urlCarriesCustomer: true } : {}),
    startedAt,
    now: startedAt,
  });
  return {
    warnings: warnings.map((w) => `${w.code}: ${w.message}`),
    run: (run) => runCall(first, { now, random }, run),
    json: (record, results) => toJsonDocument(record, results),
  };
}

async function runCall(first: SimRequest, deps: { now: () => Date; random: (size: number) => Buffer }, run: RunOptions) {
  const dispatcher = run.dispatcher ?? new Agent();
  try {
    const record = await simulateCall({
      first,
      input: createDigitSource(run.input),
      digitParam: run.digitParam,
      maxSteps: run.maxSteps,
      timeoutMs: run.timeoutMs,
      dispatcher,
      ...deps,
      ...(run.clock ? { clock: run.clock } : {}),
      ...(run.names ? { names: run.names } : {}),
      onEvent: (event) => run.onLines?.(formatEvent(event, run.origin, run.names)),
    });
    const results = evaluateExpectations(run.expectations, record);
    run.onLines?.(formatClosing(record, results));
    return { record, results };
  } finally {
    if (run.dispatcher === undefined) await dispatcher.destroy();
  }
}
