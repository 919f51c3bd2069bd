/**
 * What each applet does to the call, as Exotel runs it (docs/exotel-protocol.md §1.4, §2, §3, §4): Greeting text,
 * Gather JSON and keys, the Passthru's status as its branch, Connect JSON and a simulated answered dial.
 */
import type { Finding } from '../exoml/finding.ts';
import { validateJsonSurface } from '../exoml/json-surfaces.ts';
import type { ConnectApplet, FlowApplet, GatherApplet } from './types.ts';
import {
  ending,
  errorsIn,
  EXOTEL_VERSION,
  exchange,
  failed,
  parseJsonObject,
  type Turn,
  type Walk,
} from './walk-state.ts';
import type { AppletStep } from './walk-types.ts';

/** A simulated conversation after Connect: answered, 30 s (§10.2 item 3). */
const DIAL_SECONDS = 30;

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

/**
 * A Passthru answering ExoML: the author expects it to play, and Exotel never will (§0 item 1, §1.4). A warning
 * where the flow says the URL is a Passthru applet's; an info where only the URL's name suggests it (the ExoML
 * flavour), since many ExoML bots name their start URL /passthru and Exotel does play those.
 */
export function ignoredBody(body: string, severity: 'warning' | 'info' = 'warning'): Finding {
  return {
    code: 'SIM002',
    severity,
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

export async function play(walk: Walk, step: AppletStep, applet: FlowApplet): Promise<Turn> {
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
