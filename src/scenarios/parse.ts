/**
 * Scenario files: YAML, one or more scenarios per file (`---` between them). The shape is docs/scenario.schema.json;
 * this reader enforces it with positions, so a mistake reads `file:line:col: message` and exits 2. Pure.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { CUSTOMER_FIELDS, type CustomerInput } from '../exotel/customer.ts';
import { DIGIT_FLAVOURS } from '../simulate/digits.ts';
import { GATHER_ATTRS, SEVERITIES, type CallSettings, type Scenario, type ScenarioStep, type StateExpect, type StepExpect } from './types.ts';
import { entries, fail, flag, list, oneOf, positionOf, scenarioError, text, textMap, texts, whole, type Reader } from './yaml-read.ts';

const SCENARIO_KEYS = ['name', 'url', 'customer', 'call', 'steps', 'state'] as const;
const CALL_KEYS = ['from', 'to', 'digit_param', 'method', 'params'] as const;
const STEP_KEYS = ['expect', 'press', 'no_input', 'hangup'] as const;
const EXPECT_KEYS = [
  'status',
  'content_type',
  'verbs',
  'say',
  'say_matches',
  'language',
  'gather',
  'dial',
  'hangup',
  'redirect',
  'max_severity',
  'max_latency_ms',
] as const;

function regexes(reader: Reader, node: unknown): string[] {
  const patterns = texts(reader, node, 'say_matches');
  for (const pattern of patterns) {
    try {
      new RegExp(pattern, 'iu');
    } catch (error) {
      fail(reader, node, `say_matches: ${(error as Error).message}`);
    }
  }
  return patterns;
}

function readExpect(reader: Reader, node: unknown): StepExpect {
  const out: StepExpect = {};
  for (const { key, value } of entries(reader, node, 'expect', EXPECT_KEYS)) {
    if (key === 'status') out.status = whole(reader, value, 'status', 100);
    else if (key === 'content_type') out.content_type = text(reader, value, key);
    else if (key === 'verbs') out.verbs = texts(reader, value, key);
    else if (key === 'say') out.say = texts(reader, value, key);
    else if (key === 'say_matches') out.say_matches = regexes(reader, value);
    else if (key === 'language') out.language = text(reader, value, key);
    else if (key === 'gather') out.gather = textMap(reader, value, 'gather', GATHER_ATTRS);
    else if (key === 'dial') out.dial = text(reader, value, key);
    else if (key === 'hangup') out.hangup = flag(reader, value, key);
    else if (key === 'redirect') out.redirect = isBoolean(value) ? flag(reader, value, key) : text(reader, value, key);
    else if (key === 'max_severity') out.max_severity = oneOf(reader, value, key, SEVERITIES);
    else out.max_latency_ms = whole(reader, value, key, 1);
  }
  return out;
}

const isBoolean = (node: unknown) => typeof (node as { value?: unknown } | null)?.value === 'boolean';

function readStep(reader: Reader, node: unknown, index: number): ScenarioStep {
  const found = entries(reader, node, `steps[${index}]`, STEP_KEYS);
  const [only] = found;
  if (only === undefined || found.length !== 1) fail(reader, node, `steps[${index}] must have exactly one of ${STEP_KEYS.join(', ')}`);
  const at = positionOf(reader, only.keyNode);
  if (only.key === 'expect') return { at, kind: 'expect', expect: readExpect(reader, only.value) };
  if (only.key === 'press') {
    const keys = text(reader, only.value, 'press');
    if (!/^[0-9*#]+$/.test(keys)) fail(reader, only.value, `press must be keys 0-9, * and #, got "${keys}"`);
    return { at, kind: 'press', keys };
  }
  const value = (only.value as { value?: unknown } | null)?.value;
  if (only.value !== null && value !== null && value !== true) fail(reader, only.value, `${only.key} takes no value (write "- ${only.key}:" or "- ${only.key}: true")`);
  return { at, kind: only.key as 'no_input' | 'hangup' };
}

function readCall(reader: Reader, node: unknown): CallSettings {
  const out: CallSettings = {};
  for (const { key, value } of entries(reader, node, 'call', CALL_KEYS)) {
    if (key === 'from' || key === 'to') out[key] = text(reader, value, `call.${key}`);
    else if (key === 'digit_param') out.digit_param = oneOf(reader, value, 'call.digit_param', DIGIT_FLAVOURS);
    else if (key === 'method') out.method = oneOf(reader, value, 'call.method', ['GET', 'POST'] as const);
    else out.params = textMap(reader, value, 'call.params');
  }
  return out;
}

function readState(reader: Reader, node: unknown): StateExpect {
  const out: StateExpect = {};
  for (const { key, value } of entries(reader, node, 'state', ['session', 'call'])) {
    out[key as 'session' | 'call'] = textMap(reader, value, `state.${key}`);
  }
  return out;
}

function readScenario(reader: Reader, node: unknown, index: number): Scenario {
  const at = positionOf(reader, node);
  const found = entries(reader, node, 'a scenario', SCENARIO_KEYS);
  const scenario: Scenario = { name: `${reader.file} #${index + 1}`, at, steps: [] };
  let named = false;
  for (const { key, value } of found) {
    if (key === 'name') {
      scenario.name = text(reader, value, 'name');
      named = true;
    } else if (key === 'url') scenario.url = text(reader, value, 'url');
    else if (key === 'customer') scenario.customer = textMap(reader, value, 'customer', CUSTOMER_FIELDS) as CustomerInput;
    else if (key === 'call') scenario.call = readCall(reader, value);
    else if (key === 'steps') scenario.steps = list(reader, value, 'steps').map((step, i) => readStep(reader, step, i));
    else scenario.state = readState(reader, value);
  }
  if (!named) fail(reader, node, 'a scenario needs a name');
  if (!found.some((e) => e.key === 'steps')) fail(reader, node, `scenario "${scenario.name}" needs steps`);
  return scenario;
}

/** Every scenario in one file; the first mistake is thrown as a UsageError (E_SCENARIO) with its position. */
export function parseScenarios(source: string, file: string): Scenario[] {
  const lines = new LineCounter();
  const reader: Reader = { file, text: source, lines };
  const docs = parseAllDocuments(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  const scenarios: Scenario[] = [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error !== undefined) {
      const { line, col } = lines.linePos(error.pos[0]);
      throw scenarioError({ file, line, col }, `YAML: ${error.message.split('\n')[0] ?? error.code}`);
    }
    if (doc.contents === null) continue;
    scenarios.push(readScenario(reader, doc.contents, scenarios.length));
  }
  return scenarios;
}
