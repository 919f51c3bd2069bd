/**
 * A played call saved as a scenario (`simulate --record`, and `serve --record` through from-exchanges.ts): the
 * customer and call settings it was made with, the keys pressed at each Gather, and at each point what was observed
 * (status, verbs, what was said, the Dial, the hangup), so replaying it against a new build fails where the call
 * changed. The one writer of scenario YAML. Pure: returns YAML text.
 */
import { stringify } from 'yaml';
import type { CustomerInput } from '../exotel/customer.ts';
import type { DigitFlavour } from '../simulate/digits.ts';
import type { CallRecord, HttpMethod, PlayedVerb } from '../simulate/types.ts';
import { partsOf, type Part } from './segments.ts';

export type RecordInput = {
  name: string;
  url: string;
  customer: CustomerInput;
  from?: string;
  to?: string;
  method?: HttpMethod;
  /** Call parameters that differ from what `test` sends by default (call.params). */
  params?: Record<string, string>;
  digitParam: DigitFlavour;
};

type StepDoc = { expect: Record<string, unknown> } | { press: string } | { no_input: null } | { hangup: null };

/** A scenario as plain data, in the key order the file shows (docs/scenario.schema.json). */
export type ScenarioDocument = {
  name: string;
  url: string;
  customer: CustomerInput;
  call?: Record<string, unknown>;
  steps: StepDoc[];
};

const HEADER = '# Recorded by exo-passthru simulate --record; replay with: exo-passthru test <this file>';

function observed(part: Part, last: boolean, record: CallRecord): Record<string, unknown> {
  const expect: Record<string, unknown> = {};
  const status = part.steps.at(-1)?.response?.status;
  if (status !== undefined) expect.status = status;
  expect.verbs = part.verbs.map((v: PlayedVerb) => v.verb);
  const said = part.heard.flatMap((v) => (v.verb === 'Say' && v.text !== '' ? [v.text] : []));
  if (said.length > 0) expect.say = said;
  const dial = part.verbs.find((v) => v.verb === 'Dial');
  if (dial?.verb === 'Dial' && dial.numbers[0] !== undefined) expect.dial = dial.numbers[0];
  if (last && record.outcome.kind === 'hangup') expect.hangup = true;
  return expect;
}

export function scenarioDocument(record: CallRecord, input: RecordInput): ScenarioDocument {
  const parts = partsOf(record);
  const inputs = record.events.flatMap((e) => (e.type === 'input' ? [e] : []));
  const steps: StepDoc[] = [];
  parts.forEach((part, i) => {
    steps.push({ expect: observed(part, i === parts.length - 1, record) });
    const taken = inputs[i];
    if (taken === undefined) return;
    if (taken.input.source === 'hangup') steps.push({ hangup: null });
    else steps.push(taken.input.kind === 'keys' ? { press: taken.input.pressed } : { no_input: null });
  });
  const params = input.params ?? {};
  const call = {
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    ...(input.digitParam !== 'DigitsPressed' ? { digit_param: input.digitParam } : {}),
    ...(input.method && input.method !== 'GET' ? { method: input.method } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
  };
  return {
    name: input.name,
    url: input.url,
    customer: input.customer,
    ...(Object.keys(call).length > 0 ? { call } : {}),
    steps,
  };
}

/** The YAML text of a scenario; `header` is a comment block (each line starting with `#`). */
export function formatScenario(doc: ScenarioDocument, header = HEADER): string {
  return `${header}\n${stringify(doc, { lineWidth: 0 })}`;
}

export function recordScenario(record: CallRecord, input: RecordInput): string {
  return formatScenario(scenarioDocument(record, input));
}
