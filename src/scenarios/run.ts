/**
 * One scenario played over the simulate engine: its press / no_input / hangup steps become the keys of each
 * Gather in turn, the call is played to its end, then every step is judged on the part of the call it stands at
 * (segments.ts, checks.ts) and `state:` on what the bot stored (state.ts).
 */
import type { Dispatcher } from 'undici';
import { buildCall, type BuildCallOptions } from '../simulate/run.ts';
import type { CallEnding, CallRecord } from '../simulate/types.ts';
import { judgeExpect } from './checks.ts';
import { partsOf, type Part } from './segments.ts';
import { checkState, type StateReader } from './state.ts';
import type { Check, Scenario, ScenarioResult, ScenarioStep, StepResult } from './types.ts';

export type RunScenarioOptions = {
  /** The call as simulate would build it for this scenario at this URL (customer, ExoPhone, key). */
  prepare: (scenario: Scenario, url: string) => BuildCallOptions;
  /** --url, over the scenario's own `url`. */
  url?: string;
  timeoutMs: number;
  maxSteps: number;
  state?: StateReader;
  dispatcher?: Dispatcher;
  clock?: () => number;
};

function inputs(steps: readonly ScenarioStep[]): { groups: string[]; hangupAt?: number } {
  const groups: string[] = [];
  for (const step of steps) {
    if (step.kind === 'press') groups.push(step.keys);
    else if (step.kind === 'no_input') groups.push('');
    else if (step.kind === 'hangup') return { groups, hangupAt: groups.length };
  }
  return { groups };
}

function describeEnding(ending: CallEnding): string {
  if (ending.kind === 'dial') return `dial ${ending.number ?? ''}`;
  return ending.reason === undefined ? ending.kind : `${ending.kind} (${ending.reason})`;
}

function label(step: ScenarioStep): string {
  if (step.kind === 'press') return `press ${JSON.stringify(step.keys)}`;
  if (step.kind === 'no_input') return 'no input';
  if (step.kind === 'hangup') return 'hang up';
  return `expect ${Object.keys(step.expect).join(', ') || '(nothing)'}`;
}

function judgeStep(step: ScenarioStep, part: Part | undefined, record: CallRecord): Check[] {
  const ended = `the call had ended: ${describeEnding(record.outcome)}`;
  if (step.kind === 'expect') return part === undefined ? [{ what: 'call', ok: false, expected: 'the call still going', actual: ended }] : judgeExpect(step.expect, part, record);
  const took = part?.input === true;
  return [{ what: 'input', ok: took, expected: 'a Gather to take it', actual: took ? 'taken' : ended }];
}

function judgeSteps(scenario: Scenario, record: CallRecord): StepResult[] {
  const parts = partsOf(record);
  let at = 0;
  const results = scenario.steps.map((step, index): StepResult => {
    const checks = judgeStep(step, parts[at], record);
    if (step.kind !== 'expect') at++;
    return { index, label: label(step), line: step.at.line, ok: checks.every((c) => c.ok), checks };
  });
  const wantsFailure = scenario.steps.some((s) => s.kind === 'expect' && (s.expect.status ?? 200) >= 300);
  if (record.outcome.kind === 'error' && !wantsFailure) {
    const check = { what: 'ending', ok: false, expected: 'no error', actual: describeEnding(record.outcome) };
    results.push({ index: results.length, label: 'the call ends cleanly', line: scenario.at.line, ok: false, checks: [check] });
  }
  return results;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const url = options.url ?? scenario.url ?? '';
  const base = { name: scenario.name, file: scenario.at.file, line: scenario.at.line };
  const call = buildCall(options.prepare(scenario, url));
  const { record } = await call.run({
    timeoutMs: options.timeoutMs,
    maxSteps: options.maxSteps,
    digitParam: scenario.call?.digit_param ?? 'DigitsPressed',
    input: inputs(scenario.steps),
    expectations: [],
    origin: new URL(url).origin,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const ms = Math.round(performance.now() - started);
  const ending = describeEnding(record.outcome);
  if (record.outcome.unreachable) return { ...base, ok: false, steps: [], unreachable: record.outcome.reason ?? 'unreachable', ending, callSid: record.callSid, ms };
  const steps = judgeSteps(scenario, record);
  if (scenario.state !== undefined) {
    const checks = options.state ? await checkState(scenario.state, record.callSid, options.state) : [{ what: 'state', ok: false, expected: 'a store to read', actual: 'no state source (give --start-server, REDIS_URL / DATABASE_URL, or an admin token)' }];
    steps.push({ index: steps.length, label: 'state', line: scenario.at.line, ok: checks.every((c) => c.ok), checks });
  }
  return { ...base, ok: steps.every((s) => s.ok), steps, ending, callSid: record.callSid, ms: Math.round(performance.now() - started) };
}
