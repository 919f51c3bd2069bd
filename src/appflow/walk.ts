/**
 * One call walked through an App Bazaar flow the way Exotel runs it (docs/exotel-protocol.md §0, §10.1 `exotel`
 * mode): the builder's transitions decide where the call goes; a Passthru's status picks its branch (200 → "OK",
 * anything else, a timeout or a failed connection → "else", §1.4) and its body is ignored; Gather and Connect
 * dynamic URLs answer JSON and Greeting text/plain, each validated with the JSON-surface validator; keys from a
 * Gather ride on later requests as `digits="…"` (§2.4); a Passthru after a Connect carries the dial result
 * (§1.3, §10.2 item 3); the call ends with the terminal StatusCallback (§6.2). HTTP only, through src/http/.
 */
import type { Dispatcher } from 'undici';
import { formatIst } from '../exotel/call.ts';
import type { Finding } from '../exoml/finding.ts';
import { validateJsonSurface } from '../exoml/json-surfaces.ts';
import { httpRequest } from '../http/client.ts';
import { deliverStatusCallback } from './status-callback.ts';
import { HANGUP, type AppletFlow, type ConnectApplet, type FlowApplet, type GatherApplet } from './types.ts';
import type { AppletExchange, AppletStep, FlowCallRecord, FlowEnding, FlowEvent } from './walk-types.ts';

/** The keys the caller presses at a Gather (structurally simulate's digit source). */
type KeySource = {
  next: (question: {
    numDigits?: number | undefined;
    finishOnKey: string;
    timeoutSeconds: number;
    prompt: string;
  }) => Promise<{ keys: string; source: string }>;
};

export type WalkOptions = {
  flow: AppletFlow;
  /** Relative applet URLs (`/exotel/gather`) resolve against it. */
  base: string;
  /** The call details every applet request carries (exotel/call.ts passthruCallParams, plus CustomField). */
  callParams: Readonly<Record<string, string>>;
  keys: KeySource;
  /** Where the terminal StatusCallback goes (none: not sent). */
  statusCallback?: { url: string; json: boolean };
  /** Budget per applet request. */
  timeoutMs: number;
  /** Applets per call before the loop guard stops it (default 30). */
  maxSteps?: number;
  dispatcher?: Dispatcher;
  now?: () => Date;
  onEvent?: (event: FlowEvent) => void;
};

/** A simulated conversation after Connect: answered, 30 s (§10.2 item 3). */
const DIAL_SECONDS = 30;
const MAX_BYTES = 64 * 1024;
const EXOTEL_VERSION = { 'exotel-version': '1.0' };

type Walk = {
  options: WalkOptions;
  record: FlowCallRecord;
  emit: (event: FlowEvent) => void;
  /** Parameters added by earlier applets: `digits` after a Gather, the dial result after a Connect. */
  carried: Record<string, string>;
  noInput: boolean;
  dialled?: string[];
};

type Turn = { next: string } | { end: FlowEnding };

function resolveAppletUrl(url: string, base: string): string {
  return /^https?:\/\//i.test(url) ? url : new URL(url, base).toString();
}

function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const encoded = Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  if (encoded === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${encoded}`;
}

async function exchange(
  walk: Walk,
  method: 'GET' | 'HEAD',
  rawUrl: string,
  headers: Record<string, string> = {},
): Promise<AppletExchange> {
  const params = { ...walk.options.callParams, ...walk.carried, CurrentTime: formatIst(now(walk)) };
  const url = withQuery(resolveAppletUrl(rawUrl, walk.options.base), params);
  const result = await httpRequest({
    url,
    method,
    headers: { 'user-agent': 'exo-passthru-simulate', ...headers },
    timeoutMs: walk.options.timeoutMs,
    maxBytes: MAX_BYTES,
    ...(walk.options.dispatcher ? { dispatcher: walk.options.dispatcher } : {}),
  });
  if (!result.ok) {
    const unreachable = result.reason === 'refused' || result.reason === 'not_found';
    const silent = result.reason === 'timeout' || result.reason === 'aborted';
    if (unreachable) walk.record.unreachable = true;
    const error = silent
      ? `no complete answer within ${walk.options.timeoutMs} ms`
      : `${result.reason}${result.code ? ` (${result.code})` : ''}: ${result.message}`;
    return {
      method,
      url,
      params,
      ms: result.ms,
      error,
      ...(unreachable ? { unreachable } : {}),
      ...(silent ? { silent } : {}),
    };
  }
  const body = Buffer.from(result.body).toString('utf8');
  return { method, url, params, status: result.status, contentType: result.contentType ?? '', body, ms: result.ms };
}

const now = (walk: Walk) => (walk.options.now ?? (() => new Date()))();

function failed(exchange: AppletExchange, what: string): FlowEnding {
  const why = exchange.error ?? `HTTP ${exchange.status}`;
  return {
    kind: 'error',
    reason: `the ${what} URL failed (${why}): Exotel cannot play this applet`,
    ...(exchange.unreachable ? { unreachable: true } : {}),
  };
}

function errorsIn(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'error');
}

function parseJsonObject(body: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

async function greeting(
  walk: Walk,
  step: AppletStep,
  applet: Extract<FlowApplet, { kind: 'greeting' }>,
): Promise<Turn> {
  if (applet.url === undefined) {
    step.heard = applet.text ?? '';
    return { next: applet.next };
  }
  // Exotel checks a Greeting URL with HEAD, then fetches it with GET; both must say text/plain (§4, §10.2 item 9).
  const head = await exchange(walk, 'HEAD', applet.url);
  const got = await exchange(walk, 'GET', applet.url);
  step.exchange = got;
  if (got.status === undefined || got.status < 200 || got.status > 299) return { end: failed(got, 'Greeting') };
  step.findings.push(
    ...validateJsonSurface('greeting', got.body ?? '', {
      status: got.status,
      contentType: got.contentType ?? '',
      ...(head.status !== undefined ? { head: { status: head.status, contentType: head.contentType ?? '' } } : {}),
    }),
  );
  step.heard = (got.body ?? '').trim();
  const error = errorsIn(step.findings);
  if (error) return { end: { kind: 'error', reason: `the Greeting answer is not playable: ${error.message}` } };
  return { next: applet.next };
}

/** The keys of a Gather, as Exotel ends input: at the finish key (not sent) or at max_input_digits (§2.3, §2.4). */
function takeDigits(pressed: string, maxDigits: number | undefined, finishOnKey: string): string {
  let digits = '';
  for (const key of pressed) {
    if (finishOnKey !== '' && key === finishOnKey) break;
    digits += key;
    if (maxDigits !== undefined && digits.length >= maxDigits) break;
  }
  return digits;
}

async function gather(walk: Walk, step: AppletStep, applet: GatherApplet): Promise<Turn> {
  let settings = {
    prompt: applet.prompt ?? '',
    maxDigits: applet.maxInputDigits,
    finishOnKey: applet.finishOnKey ?? '#',
    timeout: 5,
  };
  if (applet.url !== undefined) {
    const got = await exchange(walk, 'GET', applet.url, EXOTEL_VERSION);
    step.exchange = got;
    if (got.status === undefined) return { end: failed(got, 'Gather') };
    step.findings.push(
      ...validateJsonSurface('gather-json', got.body ?? '', { status: got.status, contentType: got.contentType ?? '' }),
    );
    const error = errorsIn(step.findings);
    // A wrong shape or an unknown key: Exotel drops the call (§2.3).
    if (error)
      return { end: { kind: 'error', reason: `the Gather JSON is not what Exotel accepts: ${error.message}` } };
    const json = parseJsonObject(got.body);
    const prompt = json.gather_prompt as { text?: unknown; audio_url?: unknown } | undefined;
    settings = {
      prompt: String(prompt?.text ?? prompt?.audio_url ?? ''),
      maxDigits:
        typeof json.max_input_digits === 'number' && json.max_input_digits > 0 ? json.max_input_digits : undefined,
      finishOnKey: typeof json.finish_on_key === 'string' ? json.finish_on_key : '#',
      timeout: typeof json.input_timeout === 'number' ? json.input_timeout : 5,
    };
  }
  step.heard = settings.prompt;
  const answer = await walk.options.keys.next({
    numDigits: settings.maxDigits,
    finishOnKey: settings.finishOnKey,
    timeoutSeconds: settings.timeout,
    prompt: settings.prompt,
  });
  if (answer.source === 'hangup') return { end: { kind: 'hangup', reason: 'the caller hung up during the Gather' } };
  const digits = takeDigits(answer.keys, settings.maxDigits, settings.finishOnKey);
  step.keys = { pressed: answer.keys, digits, source: answer.source };
  // Later applets see the keys as `digits` in literal double quotes, `""` when nothing was pressed (§2.4).
  walk.carried.digits = `"${digits}"`;
  walk.noInput = digits === '';
  return { next: digits === '' ? (applet.onNoInput ?? applet.next) : applet.next };
}

async function passthru(
  walk: Walk,
  step: AppletStep,
  applet: Extract<FlowApplet, { kind: 'passthru' }>,
): Promise<Turn> {
  const got = await exchange(walk, 'GET', applet.url);
  step.exchange = got;
  step.branch = got.status === 200 ? 'ok' : 'else';
  if (got.status === 200 && /^\s*(<\?xml|<Response\b)/i.test(got.body ?? '')) {
    step.findings.push(ignoredBody(got.body ?? ''));
  }
  return { next: step.branch === 'ok' ? applet.onOk : applet.onElse };
}

/** A Passthru answering ExoML: the author expects it to play, and Exotel never will (§0 item 1, §1.4). */
export function ignoredBody(body: string): Finding {
  return {
    code: 'SIM002',
    severity: 'warning',
    message: `Exotel ignores Passthru bodies: this answer looks like ExoML (${body.trim().slice(0, 40)}…) and will not be played`,
    hint: 'a Passthru only picks a branch by its status (200 or anything else); put what the caller hears in Greeting/Gather applets (docs/exotel-protocol.md §1.4)',
    line: 1,
    column: 1,
    path: 'http.body',
  };
}

async function connect(walk: Walk, step: AppletStep, applet: ConnectApplet): Promise<Turn> {
  let numbers = applet.numbers ?? [];
  let record = false;
  let outgoing = walk.options.callParams.CallTo ?? '';
  if (applet.url !== undefined) {
    const got = await exchange(walk, 'GET', applet.url, EXOTEL_VERSION);
    step.exchange = got;
    if (got.status === undefined) return { end: failed(got, 'Connect') };
    step.findings.push(
      ...validateJsonSurface('connect-json', got.body ?? '', {
        status: got.status,
        contentType: got.contentType ?? '',
      }),
    );
    const error = errorsIn(step.findings);
    if (error)
      return { end: { kind: 'error', reason: `the Connect JSON is not what Exotel accepts: ${error.message}` } };
    const json = parseJsonObject(got.body);
    const destination = json.destination as { numbers?: unknown } | undefined;
    numbers = Array.isArray(destination?.numbers) ? destination.numbers.map(String) : [];
    record = json.record === true;
    if (typeof json.outgoing_phone_number === 'string') outgoing = json.outgoing_phone_number;
  }
  const [number] = numbers;
  if (number === undefined) return { end: { kind: 'error', reason: 'Connect without a number to dial' } };
  const callSid = walk.options.callParams.CallSid ?? 'call';
  const recordingUrl = record
    ? `https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/simulated/${callSid}.mp3`
    : undefined;
  step.dial = { numbers, status: 'completed', duration: DIAL_SECONDS, ...(recordingUrl ? { recordingUrl } : {}) };
  walk.dialled = numbers;
  // What a Passthru after Connect receives (§1.2, §1.3, §10.2 item 3).
  Object.assign(walk.carried, {
    CallType: 'completed',
    DialCallStatus: 'completed',
    DialCallDuration: String(DIAL_SECONDS),
    DialWhomNumber: number,
    OutgoingPhoneNumber: outgoing,
    'Legs[0][Number]': number,
    'Legs[0][Type]': 'single',
    'Legs[0][OnCallDuration]': String(DIAL_SECONDS),
    'Legs[0][CauseCode]': 'NORMAL_CLEARING',
    'Legs[0][Cause]': '16',
    ...(recordingUrl ? { RecordingUrl: recordingUrl } : {}),
  });
  return { next: applet.next };
}

async function play(walk: Walk, step: AppletStep, applet: FlowApplet): Promise<Turn> {
  switch (applet.kind) {
    case 'hangup':
      return { end: ending(walk, 'the Hangup applet') };
    case 'greeting':
      return greeting(walk, step, applet);
    case 'gather':
      return gather(walk, step, applet);
    case 'passthru':
      return passthru(walk, step, applet);
    case 'connect':
      return connect(walk, step, applet);
  }
}

function ending(walk: Walk, where: string): FlowEnding {
  if (walk.dialled)
    return { kind: 'dial', numbers: walk.dialled, reason: `the agent call ended; ${where} ends the call` };
  if (walk.noInput) return { kind: 'no-input', reason: `no key pressed; ${where} ends the call` };
  return { kind: 'hangup', reason: `${where} ends the call` };
}

export async function walkFlow(options: WalkOptions): Promise<FlowCallRecord> {
  const record: FlowCallRecord = {
    flow: options.flow.name,
    callSid: options.callParams.CallSid ?? '',
    steps: [],
    outcome: { kind: 'hangup', reason: '' },
    unreachable: false,
  };
  const walk: Walk = {
    options,
    record,
    carried: {},
    noInput: false,
    emit: (event) => options.onEvent?.(event),
  };
  const maxSteps = options.maxSteps ?? 30;
  let name = options.flow.start;
  for (;;) {
    const applet = options.flow.applets[name];
    if (applet === undefined) {
      record.outcome = ending(walk, name === HANGUP ? 'hangup' : `the missing applet "${name}"`);
      break;
    }
    if (record.steps.length >= maxSteps) {
      record.outcome = { kind: 'error', reason: `loop guard: ${maxSteps} applets without reaching a Hangup` };
      break;
    }
    const step: AppletStep = { applet: name, kind: applet.kind, findings: [] };
    record.steps.push(step);
    const turn = await play(walk, step, applet);
    if ('next' in turn) step.next = turn.next;
    walk.emit({ type: 'step', step, index: record.steps.length - 1 });
    if ('end' in turn) {
      record.outcome = turn.end;
      break;
    }
    name = turn.next;
  }
  if (options.statusCallback) await sendCallback(walk, options.statusCallback);
  return record;
}

async function sendCallback(walk: Walk, target: { url: string; json: boolean }): Promise<void> {
  const { callParams } = walk.options;
  const at = formatIst(now(walk));
  const dial = walk.record.steps.find((step) => step.dial)?.dial;
  const fields: Record<string, string> = {
    CallSid: walk.record.callSid,
    EventType: 'terminal',
    Status: walk.record.outcome.kind === 'error' ? 'failed' : 'completed',
    DateCreated: callParams.StartTime ?? at,
    DateUpdated: at,
    StartTime: callParams.StartTime ?? at,
    EndTime: at,
    From: callParams.CallFrom ?? callParams.From ?? '',
    To: callParams.CallTo ?? callParams.To ?? '',
    PhoneNumberSid: callParams.CallTo ?? '',
    Direction: 'outbound-api',
    ConversationDuration: String(dial?.duration ?? 0),
    ...(dial?.recordingUrl ? { RecordingUrl: dial.recordingUrl } : {}),
    ...(callParams.CustomField !== undefined ? { CustomField: callParams.CustomField } : {}),
  };
  const url = resolveAppletUrl(target.url, walk.options.base);
  const delivery = await deliverStatusCallback({
    url,
    json: target.json,
    fields,
    ...(walk.options.dispatcher ? { dispatcher: walk.options.dispatcher } : {}),
    onAttempt: (attempt) => walk.emit({ type: 'callback', url, attempt }),
  });
  walk.record.statusCallback = { url, ...delivery };
}
