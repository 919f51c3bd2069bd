/**
 * One whole call, as Exotel plays it (docs/exotel-protocol.md §5.2, §10.1 `exoml` mode): request → response →
 * validate → play the verbs in order. A Gather takes keys from the digit source and sends them to its action
 * (or, on no input, falls through to the next verb, as Exotel and Twilio do when the timeout passes);
 * Redirect and Dial/Record actions are followed; the call ends at Hangup, at the end of a document, at a Dial
 * without action, on an error, or at the step limit (loop guard). Talks to the server only over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { createCallSid, formatIst } from '../exotel/call.ts';
import type { ExomlNode } from '../exoml/parse.ts';
import { digitParam, toGatherInput, type DigitFlavour, type DigitSource } from './digits.ts';
import { actionParams } from './exotel-request.ts';
import { fetchDocument, type ResponseOptions } from './response.ts';
import type { CallEnding, CallEvent, CallRecord, PlayedVerb, SimRequest, Step } from './types.ts';
import { promptText, toDial, toGather, toRecord, toSimpleVerb } from './verbs.ts';

export type SimulateOptions = ResponseOptions & {
  /** The first request (buildFirstRequest). Its CallSid, CallFrom, CallTo and CallStatus ride on every action. */
  first: SimRequest;
  input: DigitSource;
  /** How digits reach a Gather action (default DigitsPressed, the ExoML Gather). */
  digitParam?: DigitFlavour;
  /** Requests per call before the loop guard stops it (default 20). */
  maxSteps?: number;
  now?: () => Date;
  random?: (size: number) => Buffer;
  onEvent?: (event: CallEvent) => void;
};

const DEFAULT_MAX_STEPS = 20;
const CALLER_HUNG_UP = 'the caller hung up during the Gather';

type Flow = { next: SimRequest } | { outcome: CallEnding } | undefined;

type Play = {
  options: SimulateOptions;
  step: Step;
  emit: (event: CallEvent) => void;
  /** The URL this document came from: relative URLs and a Gather without action resolve against it. */
  base: string;
  /** The last verb played was a Gather that got no input. */
  trailingNoInput: boolean;
};

export async function simulateCall(options: SimulateOptions): Promise<CallRecord> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const record: CallRecord = {
    url: options.first.url,
    callSid: options.first.params.CallSid ?? '',
    steps: [],
    events: [],
    outcome: { kind: 'hangup' },
  };
  const emit = (event: CallEvent) => {
    record.events.push(event);
    options.onEvent?.(event);
  };
  let next: SimRequest | undefined = options.first;
  while (next !== undefined) {
    if (record.steps.length >= maxSteps) {
      const raise = options.names?.maxSteps ? `; raise ${options.names.maxSteps} if the flow is really that long` : '';
      record.outcome = {
        kind: 'error',
        reason: `loop guard: ${maxSteps} requests without reaching Hangup or a Dial (a Redirect loop?)${raise}`,
      };
      break;
    }
    const step: Step = { request: next, findings: [], verbs: [] };
    record.steps.push(step);
    const fetched = await fetchDocument(step, options);
    emit({ type: 'step', step, index: record.steps.length - 1 });
    for (const finding of step.findings) emit({ type: 'finding', finding });
    if (!fetched.ok) {
      record.outcome = fetched.outcome;
      break;
    }
    const flow = await playDocument(fetched.root, { options, step, emit, base: next.url, trailingNoInput: false });
    next = 'next' in flow ? flow.next : undefined;
    if ('outcome' in flow) record.outcome = flow.outcome;
  }
  noteUnusedDigits(record, options, emit);
  return record;
}

/**
 * Digit groups left when the call reached its Dial or Hangup: the flow asked fewer Gathers than the caller meant
 * to answer (a menu that ended sooner than expected, or a stray extra group). A warning, not an error: the call
 * itself went as the server said.
 */
function noteUnusedDigits(record: CallRecord, options: SimulateOptions, emit: (event: CallEvent) => void): void {
  const { kind, reason } = record.outcome;
  if (kind !== 'dial' && kind !== 'hangup') return;
  // The caller hung up on purpose (a scenario's hangup step): the groups after it were never meant to be pressed.
  if (reason === CALLER_HUNG_UP) return;
  const unused = options.input.unused?.() ?? [];
  if (unused.length === 0) return;
  const groups = unused.map((group) => (group === '' ? '(no input)' : `"${group}"`)).join(', ');
  const what = options.names?.digits ? `${options.names.digits} group` : 'digit group';
  const plural = unused.length === 1 ? '' : 's';
  const end = kind === 'dial' ? 'a Dial' : 'a Hangup';
  emit({
    type: 'note',
    level: 'warning',
    text: `${unused.length} ${what}${plural} left unused: ${groups}; the call ended at ${end} before another Gather`,
  });
}

async function playDocument(root: ExomlNode, play: Play): Promise<{ next: SimRequest } | { outcome: CallEnding }> {
  for (let i = 0; i < root.children.length; i++) {
    const flow = await playNode(root.children[i] as ExomlNode, play);
    if (flow === undefined) continue;
    const rest = root.children.slice(i + 1).map((node) => node.name);
    if ('outcome' in flow && flow.outcome.kind === 'dial' && rest.length > 0) {
      note(play, `after the Dial: ${rest.join(', ')} (played when the agent does not answer or the conversation ends)`);
    }
    return flow;
  }
  if (play.trailingNoInput)
    return { outcome: { kind: 'no-input', reason: 'no key pressed and nothing after the Gather: Exotel hangs up' } };
  return { outcome: { kind: 'hangup', reason: 'end of the document: the call ends after the last verb' } };
}

function played(play: Play, verb: PlayedVerb): void {
  play.step.verbs.push(verb);
  play.trailingNoInput = false;
  play.emit({ type: 'verb', verb, depth: 0 });
}

function note(play: Play, text: string, level: 'info' | 'warning' = 'info'): void {
  play.emit({ type: 'note', text, level });
}

async function playNode(node: ExomlNode, play: Play): Promise<Flow> {
  if (node.name === 'Gather') return playGather(node, play);
  if (node.name === 'Dial') return playDial(node, play);
  if (node.name === 'Record') return playRecord(node, play);
  const verb = toSimpleVerb(node);
  played(play, verb);
  if (verb.verb === 'Hangup') return { outcome: { kind: 'hangup', reason: '<Hangup/>' } };
  if (verb.verb === 'Other') note(play, `<${verb.name}> is not a verb Exotel plays: skipped`, 'warning');
  if (verb.verb !== 'Redirect') return undefined;
  const target = resolveTarget(verb.url, play, 'Redirect');
  if ('outcome' in target) return target;
  return { next: { method: verb.method, url: target.url, params: actionParams(play.options.first.params) } };
}

/** An absolute http(s) URL, or a relative one resolved against the document's URL (with a note). */
function resolveTarget(raw: string, play: Play, what: string): { url: string } | { outcome: CallEnding } {
  if (raw === '') return { outcome: { kind: 'error', reason: `${what} without a URL: the call cannot go on` } };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) {
    if (/^https?:\/\//i.test(raw) && URL.canParse(raw)) return { url: raw };
    return { outcome: { kind: 'error', reason: `${what} URL "${raw}" is not an http(s) URL` } };
  }
  if (!URL.canParse(raw, play.base))
    return { outcome: { kind: 'error', reason: `${what} URL "${raw}" cannot be resolved` } };
  const url = new URL(raw, play.base).toString();
  note(play, `relative ${what} URL "${raw}" resolved against the request URL → ${url}`);
  return { url };
}

async function playGather(node: ExomlNode, play: Play): Promise<Flow> {
  const verb = toGather(node);
  played(play, verb);
  for (const prompt of verb.prompts) play.emit({ type: 'verb', verb: prompt, depth: 1 });
  const { numDigits, finishOnKey } = verb;
  const answer = await play.options.input.next({
    numDigits,
    finishOnKey,
    timeoutSeconds: verb.timeout,
    prompt: promptText(verb),
  });
  if (answer.source === 'digits-exhausted')
    note(play, `no ${play.options.names?.digits ?? 'digit'} group left for this Gather: no input`, 'warning');
  const input = toGatherInput(answer.keys, verb, answer.source);
  verb.input = input;
  play.emit({ type: 'input', verb, input });
  if (answer.source === 'hangup') return { outcome: { kind: 'hangup', reason: CALLER_HUNG_UP } };
  if (input.kind === 'no-input') {
    play.trailingNoInput = true;
    return undefined;
  }
  if (input.ignored !== '')
    note(play, `keys "${input.ignored}" came after the input ended (${input.endedBy}): ignored`, 'warning');
  const target = verb.action === '' ? { url: play.base } : resolveTarget(verb.action, play, 'Gather action');
  if ('outcome' in target) return target;
  const flavour = play.options.digitParam ?? 'DigitsPressed';
  const param = digitParam(flavour, input.digits, verb.method);
  const first = play.options.first.params;
  const now = play.options.now ?? (() => new Date());
  const params = flavour === 'digits' ? { ...first, CurrentTime: formatIst(now()) } : actionParams(first);
  params[param.name] = param.value;
  return { next: { method: param.method, url: target.url, params } };
}

function playDial(node: ExomlNode, play: Play): Flow {
  const verb = toDial(node);
  played(play, verb);
  const [number] = verb.numbers;
  if (number === undefined)
    return { outcome: { kind: 'error', reason: '<Dial> without a number: Exotel cannot connect the call' } };
  if (verb.action === undefined) {
    const callerId = verb.callerId !== undefined ? { callerId: verb.callerId } : {};
    return {
      outcome: {
        kind: 'dial',
        number,
        numbers: verb.numbers,
        ...callerId,
        reason: 'the caller is connected; the call leaves the flow',
      },
    };
  }
  const target = resolveTarget(verb.action, play, 'Dial action');
  if ('outcome' in target) return target;
  note(play, 'Dial action: simulating an answered call that ended normally (DialCallStatus=completed, 30 s)');
  const random = play.options.random ?? randomBytes;
  const params = {
    ...actionParams(play.options.first.params),
    DialCallStatus: 'completed',
    DialCallSid: createCallSid(random),
    DialCallDuration: '30',
  };
  return { next: { method: verb.method, url: target.url, params } };
}

function playRecord(node: ExomlNode, play: Play): Flow {
  const verb = toRecord(node);
  played(play, verb);
  if (verb.action === undefined) {
    note(play, 'Record without action: the recording goes nowhere; the call goes on');
    return undefined;
  }
  const target = resolveTarget(verb.action, play, 'Record action');
  if ('outcome' in target) return target;
  const first = play.options.first.params;
  const random = play.options.random ?? randomBytes;
  const params = {
    ...actionParams(first),
    RecordingUrl: `https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/simulated/${first.CallSid ?? 'call'}.mp3`,
    RecordingDuration: '5',
    RecordingSid: createCallSid(random),
  };
  note(play, 'Record action: simulating a 5 s recording');
  return { next: { method: verb.method, url: target.url, params } };
}
