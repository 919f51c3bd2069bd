/**
 * `simulate --flavor applet` put together, for the CLI: the call details of an API-started call (the customer in
 * `CustomField`, never in the applet URLs, docs/exotel-protocol.md §0 item 5), the flow walked on its own undici
 * Agent (closed afterwards), the transcript as it unfolds, the expectations and the JSON document.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import type { AppletFlow } from '../appflow/types.ts';
import { walkFlow } from '../appflow/walk.ts';
import type { FlowCallRecord } from '../appflow/walk-types.ts';
import { createCallSid, passthruCallParams } from '../exotel/call.ts';
import { encodeCustomField } from '../exotel/custom-field.ts';
import type { CustomerInput } from '../exotel/customer.ts';
import { toNational } from '../exotel/phone.ts';
import { evaluateFlowExpectations, formatFlowClosing, formatFlowEvent } from './applet-report.ts';
import { createDigitSource, type DigitSourceOptions } from './digits.ts';
import type { Expectation, ExpectationResult } from './expect.ts';
import type { Line } from './report.ts';

export type AppletRunOptions = {
  flow: AppletFlow;
  /** Relative applet URLs resolve against it. */
  base: string;
  customer: CustomerInput;
  /** E.164 numbers of the customer and the ExoPhone. */
  phone: string;
  exophone: string;
  e164?: boolean;
  /** The StatusCallback URL (default: the flow's `status_callback`; none: not sent). */
  statusCallback?: string;
  statusJson?: boolean;
  timeoutMs: number;
  maxSteps: number;
  input: DigitSourceOptions;
  expectations: readonly Expectation[];
  onLines?: (lines: Line[]) => void;
  now?: () => Date;
  random?: (size: number) => Buffer;
};

export async function runAppletCall(
  options: AppletRunOptions,
): Promise<{ record: FlowCallRecord; results: ExpectationResult[] }> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const number = (e164: string) => (options.e164 ? e164 : toNational(e164));
  const callParams = passthruCallParams({
    callSid: createCallSid(options.random ?? randomBytes),
    from: number(options.phone),
    to: number(options.exophone),
    startedAt: started,
    now: started,
  });
  const customField = encodeCustomField(options.customer);
  if (customField !== '{}') callParams.CustomField = customField;
  const callback = options.statusCallback ?? options.flow.statusCallback;
  const origin = new URL(options.base).origin;
  const dispatcher = new Agent();
  try {
    const record = await walkFlow({
      flow: options.flow,
      base: options.base,
      callParams,
      keys: createDigitSource(options.input),
      ...(callback !== undefined ? { statusCallback: { url: callback, json: options.statusJson === true } } : {}),
      timeoutMs: options.timeoutMs,
      maxSteps: options.maxSteps,
      dispatcher,
      now,
      onEvent: (event) => options.onLines?.(formatFlowEvent(event, origin)),
    });
    const results = evaluateFlowExpectations(options.expectations, record);
    options.onLines?.(formatFlowClosing(record, results));
    return { record, results };
  } finally {
    await dispatcher.destroy();
  }
}
