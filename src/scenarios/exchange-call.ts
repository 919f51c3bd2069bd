/**
 * One call's webhook exchanges as serve saw them (server/exchanges.ts), read back as the call a phone heard: each
 * answer's ExoML played in order the way simulate/call.ts plays it, with the caller's inputs taken from the request
 * that came next (its digits, or none), so record.ts can write the scenario `test` replays. It reads the recorded
 * answers only and fetches nothing. Pure.
 *
 * The order of play matches simulate's, or a replay would cut the call at other points: a Gather whose next request
 * carries digits is a press and the call goes to that request; one whose next request carries no digits (a Redirect
 * target, or the action with an empty value) is no input and the verbs after the Gather play on; a Gather with no
 * request after it is where the caller hung up.
 */
import { CUSTOMER_FIELDS, pickCustomerInput, type CustomerInput } from '../exotel/customer.ts';
import { decodeCustomField } from '../exotel/custom-field.ts';
import { readDigits } from '../exotel/digits.ts';
import { parseExoml, type ExomlNode } from '../exoml/parse.ts';
import type { DigitFlavour } from '../simulate/digits.ts';
import type {
  CallEnding,
  CallEvent,
  CallRecord,
  HttpMethod,
  PlayedPrompt,
  PlayedVerb,
  Step,
} from '../simulate/types.ts';

/** The fields of server/exchanges.ts's Exchange this reading needs. */
export type RecordedExchange = {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, string> | undefined;
  status: number;
  contentType: string | undefined;
  response: string;
  ms: number;
};

const clean = (text: string) => text.replace(/\s+/g, ' ').trim();
const methodOf = (raw: string | undefined): HttpMethod => (raw?.trim().toUpperCase() === 'GET' ? 'GET' : 'POST');

/** The request's parameters: query, then the form body over it (as the server's own mergeParams reads them). */
const paramsOf = (exchange: RecordedExchange): Record<string, string> => ({
  ...exchange.query,
  ...(exchange.body ?? {}),
});

/** Paths whose answers are not ExoML a phone plays: App Bazaar applets, StatusCallback, the mock Calls API. */
export const isExomlExchange = (exchange: { path: string }) =>
  !exchange.path.startsWith('/exotel/') && !exchange.path.startsWith('/v1/');

function prompt(node: ExomlNode): PlayedPrompt | undefined {
  const at = { line: node.line, path: node.path };
  if (node.name === 'Say') return { verb: 'Say', ...at, text: clean(node.text) };
  if (node.name === 'Play') return { verb: 'Play', ...at, url: clean(node.text) };
  return undefined;
}

function verbOf(node: ExomlNode): PlayedVerb {
  const at = { line: node.line, path: node.path };
  const said = prompt(node);
  if (said !== undefined) return said;
  if (node.name === 'Gather')
    return {
      verb: 'Gather',
      ...at,
      timeout: 5,
      finishOnKey: node.attrs.finishOnKey ?? '#',
      action: node.attrs.action?.trim() ?? '',
      method: methodOf(node.attrs.method),
      prompts: node.children.map(prompt).filter((p): p is PlayedPrompt => p !== undefined),
    };
  if (node.name === 'Dial') {
    const nested = node.children.filter((c) => c.name === 'Number').map((c) => clean(c.text));
    const numbers = nested.length > 0 ? nested : [clean(node.text)].filter((n) => n !== '');
    const action = node.attrs.action?.trim();
    return { verb: 'Dial', ...at, numbers, method: methodOf(node.attrs.method), ...(action ? { action } : {}) };
  }
  if (node.name === 'Record') {
    const action = node.attrs.action?.trim();
    return { verb: 'Record', ...at, method: methodOf(node.attrs.method), ...(action ? { action } : {}) };
  }
  if (node.name === 'Redirect')
    return { verb: 'Redirect', ...at, url: clean(node.text), method: methodOf(node.attrs.method) };
  if (node.name === 'Hangup') return { verb: 'Hangup', ...at };
  if (node.name === 'Pause') return { verb: 'Pause', ...at };
  return { verb: 'Other', ...at, name: node.name };
}

type Reading = { events: CallEvent[]; next: () => RecordedExchange | undefined; flavour: DigitFlavour | undefined };

/** 'follow': the call goes on with the next request; otherwise how it ended. */
type Flow = 'follow' | CallEnding;

function gatherInput(verb: PlayedVerb & { verb: 'Gather' }, reading: Reading): 'press' | 'none' | 'hangup' {
  const next = reading.next();
  if (next === undefined) {
    reading.events.push({ type: 'input', verb, input: { kind: 'no-input', source: 'hangup' } });
    return 'hangup';
  }
  const { digits, source } = readDigits(paramsOf(next));
  if (source === undefined || digits === undefined || digits === '') {
    reading.events.push({ type: 'input', verb, input: { kind: 'no-input', source: 'no-input' } });
    return 'none';
  }
  reading.flavour ??= source;
  const keys = { kind: 'keys', pressed: digits, digits, endedBy: 'timeout', ignored: '', source: 'digits' } as const;
  reading.events.push({ type: 'input', verb, input: keys });
  return 'press';
}

function playDocument(root: ExomlNode, step: Step, reading: Reading): Flow {
  let trailingNoInput = false;
  for (const node of root.children) {
    const verb = verbOf(node);
    step.verbs.push(verb);
    reading.events.push({ type: 'verb', verb, depth: 0 });
    trailingNoInput = false;
    if (verb.verb === 'Gather') {
      for (const p of verb.prompts) reading.events.push({ type: 'verb', verb: p, depth: 1 });
      const input = gatherInput(verb, reading);
      if (input === 'hangup') return { kind: 'hangup', reason: 'the caller hung up during the Gather' };
      if (input === 'press') return 'follow';
      trailingNoInput = true;
    } else if (verb.verb === 'Hangup') return { kind: 'hangup', reason: '<Hangup/>' };
    else if (verb.verb === 'Dial') {
      if (verb.action !== undefined) return 'follow';
      return { kind: 'dial', ...(verb.numbers[0] !== undefined ? { number: verb.numbers[0] } : {}) };
    } else if (verb.verb === 'Redirect' || (verb.verb === 'Record' && verb.action !== undefined)) return 'follow';
  }
  return trailingNoInput ? { kind: 'no-input' } : { kind: 'hangup', reason: 'end of the document' };
}

function stepOf(exchange: RecordedExchange): Step {
  const contentType = exchange.contentType ?? '';
  return {
    request: { method: methodOf(exchange.method), url: exchange.path, params: paramsOf(exchange) },
    response: { status: exchange.status, contentType, body: exchange.response, ms: Math.round(exchange.ms) },
    findings: [],
    verbs: [],
  };
}

/** The call the exchanges (one call's ExoML webhooks, oldest first) played, and how digits reached the server. */
export function readExchangeCall(
  exchanges: readonly RecordedExchange[],
  callSid: string,
): { record: CallRecord; flavour: DigitFlavour } {
  let at = 0;
  const reading: Reading = { events: [], next: () => exchanges[at], flavour: undefined };
  const record: CallRecord = {
    url: exchanges[0]?.path ?? '',
    callSid,
    steps: [],
    events: reading.events,
    outcome: { kind: 'hangup' },
  };
  while (at < exchanges.length) {
    const exchange = exchanges[at++] as RecordedExchange;
    const step = stepOf(exchange);
    record.steps.push(step);
    reading.events.push({ type: 'step', step, index: record.steps.length - 1 });
    if (exchange.status < 200 || exchange.status > 299) {
      record.outcome = { kind: 'error', reason: `HTTP ${exchange.status}` };
      break;
    }
    const root = parseExoml(exchange.response).root;
    if (root?.name !== 'Response') {
      record.outcome = { kind: 'error', reason: 'the response is not ExoML' };
      break;
    }
    const flow = playDocument(root, step, reading);
    if (flow !== 'follow') {
      record.outcome = flow;
      break;
    }
    // Nothing came after a Redirect or an action: the call stopped there (hung up, or still open when recorded).
    if (at >= exchanges.length) record.outcome = { kind: 'hangup', reason: 'no request after this answer' };
  }
  return { record, flavour: reading.flavour ?? 'DigitsPressed' };
}

/** The call parameters simulate sends on its own; the value given is the one it sends unless told otherwise. */
const DEFAULT_PARAMS: Readonly<Record<string, string | null>> = {
  CallSid: null,
  CallFrom: null,
  CallTo: null,
  From: null,
  To: null,
  Created: null,
  StartTime: null,
  CurrentTime: null,
  ForwardedFrom: null,
  CustomField: null,
  key: null,
  sig: null,
  exp: null,
  Direction: 'outbound-dial',
  DialCallDuration: '0',
  EndTime: '1970-01-01 05:30:00',
  CallType: 'call-attempt',
  DialWhomNumber: '',
  flow_id: '68135',
  tenant_id: '39',
};

/** The first request's customer (its fields, else its CustomField's) and the parameters a replay must add. */
export function readFirstRequest(first: RecordedExchange): {
  customer: CustomerInput;
  from: string | undefined;
  to: string | undefined;
  method: HttpMethod;
  params: Record<string, string>;
} {
  const params = paramsOf(first);
  const decoded = decodeCustomField(params.CustomField);
  const customer: CustomerInput = {
    ...(decoded.ok ? pickCustomerInput(decoded.fields) : {}),
    ...pickCustomerInput(params),
  };
  // A fresh id per call: a replay makes its own.
  delete customer.temp_call_id;
  const customerFields = new Set<string>(CUSTOMER_FIELDS);
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (customerFields.has(name)) continue;
    const fixed = DEFAULT_PARAMS[name];
    if (fixed === null || fixed === value) continue;
    extra[name] = value;
  }
  return {
    customer,
    from: params.CallFrom ?? params.From,
    to: params.CallTo ?? params.To,
    method: methodOf(first.method),
    params: extra,
  };
}
