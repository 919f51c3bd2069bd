/**
 * The JSON and text surfaces of App Bazaar dynamic URLs (docs/exotel-protocol.md §10.2 items 7–9): the Gather
 * applet's JSON, the Connect applet's JSON and the Greeting applet's text/plain body. Exotel drops the call
 * on a wrong shape or an unknown key (§2.3, §3), so unknown keys are errors. Pure.
 */
import { errorMessage } from '../errors.ts';
import type { Code } from './codes.ts';
import { finding, sortFindings, type Finding } from './finding.ts';
import { checkResponseMeta, type ResponseMeta } from './http-response.ts';
import { checkGreeting } from './greeting.ts';
import { createLocator, type Locator } from './json-locate.ts';
import { isAudioPath, urlShape } from './urls.ts';

export type JsonKind = 'gather-json' | 'connect-json' | 'greeting';

type Obj = Record<string, unknown>;
type Ctx = { loc: Locator; out: Finding[] };

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

function report(ctx: Ctx, code: Code, path: readonly string[], message: string, hint?: string): void {
  ctx.out.push(finding(code, message, ctx.loc(path), path.join('.') || '$', hint));
}

function unknownKeys(ctx: Ctx, obj: Obj, allowed: readonly string[], path: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) report(ctx, 'EXO602', [...path, key], `unknown key "${[...path, key].join('.')}"`, `allowed here: ${allowed.join(', ')}`);
  }
}

function checkHttpUrl(ctx: Ctx, value: unknown, path: readonly string[], audio: boolean): void {
  const name = path.join('.');
  if (typeof value !== 'string' || urlShape(value) !== 'absolute') {
    report(ctx, 'EXO609', path, `${name} ${show(value)} is not an absolute http(s) URL`);
  } else if (audio && !isAudioPath(value)) {
    report(ctx, 'EXO303', path, `${name} ${show(value)} does not end in .wav or .mp3`);
  }
}

function checkPrompt(ctx: Ctx, value: unknown, path: readonly string[]): void {
  const name = path.join('.');
  if (!isObject(value)) {
    report(ctx, 'EXO610', path, `${name} must be an object, not ${show(value)}`);
    return;
  }
  unknownKeys(ctx, value, ['text', 'audio_url'], path);
  const hasText = value.text !== undefined;
  const hasAudio = value.audio_url !== undefined;
  if (hasText === hasAudio) {
    report(ctx, 'EXO603', path, `${name} has ${hasText ? 'both text and audio_url' : 'neither text nor audio_url'}`);
    return;
  }
  if (hasText) {
    if (typeof value.text !== 'string') report(ctx, 'EXO610', [...path, 'text'], `${name}.text must be a string`);
    else if (value.text.trim() === '') report(ctx, 'EXO603', [...path, 'text'], `${name}.text is empty`);
  } else checkHttpUrl(ctx, value.audio_url, [...path, 'audio_url'], true);
}

const GATHER_KEYS = ['gather_prompt', 'max_input_digits', 'finish_on_key', 'input_timeout', 'repeat_menu', 'repeat_gather_prompt'];

function checkGather(ctx: Ctx, doc: Obj): void {
  unknownKeys(ctx, doc, GATHER_KEYS, []);
  if (doc.gather_prompt === undefined) report(ctx, 'EXO616', [], 'gather_prompt is required', '"gather_prompt": {"text": "…"}');
  else checkPrompt(ctx, doc.gather_prompt, ['gather_prompt']);
  const digits = doc.max_input_digits;
  if (digits === undefined) report(ctx, 'EXO605', [], 'max_input_digits is absent: Exotel then waits for up to 255 digits');
  else if (digits === 0) {
    report(ctx, 'EXO605', ['max_input_digits'], 'max_input_digits is 0: undocumented (some use it to end the call)', 'set the number of keys to collect, e.g. 1');
  }
  else if (!isInt(digits) || digits < 1) report(ctx, 'EXO604', ['max_input_digits'], `max_input_digits ${show(digits)}: must be an integer ≥ 1`);
  const key = doc.finish_on_key;
  if (key !== undefined && !(typeof key === 'string' && /^[0-9*#]?$/.test(key))) {
    report(ctx, 'EXO606', ['finish_on_key'], `finish_on_key ${show(key)}: one of 0-9 * # or ""`);
  }
  const timeout = doc.input_timeout;
  if (timeout !== undefined && !(isInt(timeout) && timeout >= 1 && timeout <= 60)) {
    report(ctx, 'EXO607', ['input_timeout'], `input_timeout ${show(timeout)}: must be an integer 1–60`);
  }
  const repeat = doc.repeat_menu;
  if (repeat !== undefined && !(isInt(repeat) && repeat >= 0)) report(ctx, 'EXO608', ['repeat_menu'], `repeat_menu ${show(repeat)}: must be an integer ≥ 0`);
  if (doc.repeat_gather_prompt !== undefined) checkPrompt(ctx, doc.repeat_gather_prompt, ['repeat_gather_prompt']);
}

const CONNECT_KEYS = [
  'fetch_after_attempt',
  'destination',
  'outgoing_phone_number',
  'record',
  'recording_channels',
  'max_ringing_duration',
  'max_conversation_duration',
  'music_on_hold',
  'parallel_ringing',
  'dial_passthru_event_url',
  'start_call_playback',
];
const PHONE = /^(?:\+?[0-9]{10,15}|0[0-9]{10})$/;
const E164 = /^\+[1-9][0-9]{7,14}$/;

function checkChoice(ctx: Ctx, value: unknown, path: readonly string[], values: readonly string[]): void {
  if (value === undefined) report(ctx, 'EXO616', path.slice(0, -1), `${path.join('.')} is required`);
  else if (typeof value !== 'string' || !values.includes(value)) report(ctx, 'EXO612', path, `${path.join('.')} ${show(value)}: one of ${values.join(', ')}`);
}

function checkConnectObjects(ctx: Ctx, doc: Obj): void {
  const hold = doc.music_on_hold;
  if (hold !== undefined) {
    if (!isObject(hold)) report(ctx, 'EXO610', ['music_on_hold'], 'music_on_hold must be an object');
    else {
      unknownKeys(ctx, hold, ['type', 'value'], ['music_on_hold']);
      if (hold.type === undefined) report(ctx, 'EXO616', ['music_on_hold'], 'music_on_hold.type is required', '{"type": "operator_tone"}');
      else if (typeof hold.type !== 'string') report(ctx, 'EXO610', ['music_on_hold', 'type'], 'music_on_hold.type must be a string');
    }
  }
  const parallel = doc.parallel_ringing;
  if (parallel !== undefined) {
    if (!isObject(parallel)) report(ctx, 'EXO610', ['parallel_ringing'], 'parallel_ringing must be an object');
    else {
      unknownKeys(ctx, parallel, ['activate', 'max_parallel_attempts'], ['parallel_ringing']);
      if (parallel.activate !== undefined && typeof parallel.activate !== 'boolean') report(ctx, 'EXO610', ['parallel_ringing', 'activate'], 'parallel_ringing.activate must be true or false');
      const max = parallel.max_parallel_attempts;
      if (max !== undefined && !(isInt(max) && max >= 1)) report(ctx, 'EXO610', ['parallel_ringing', 'max_parallel_attempts'], 'parallel_ringing.max_parallel_attempts must be an integer ≥ 1');
    }
  }
  const playback = doc.start_call_playback;
  if (playback !== undefined) {
    if (!isObject(playback)) report(ctx, 'EXO610', ['start_call_playback'], 'start_call_playback must be an object');
    else {
      unknownKeys(ctx, playback, ['playback_to', 'type', 'value'], ['start_call_playback']);
      checkChoice(ctx, playback.playback_to, ['start_call_playback', 'playback_to'], ['both', 'callee']);
      checkChoice(ctx, playback.type, ['start_call_playback', 'type'], ['text', 'audio_url']);
      if (playback.value === undefined) report(ctx, 'EXO616', ['start_call_playback'], 'start_call_playback.value is required');
      else if (typeof playback.value !== 'string' || playback.value.trim() === '') report(ctx, 'EXO610', ['start_call_playback', 'value'], 'start_call_playback.value must be a non-empty string');
      else if (playback.type === 'audio_url') checkHttpUrl(ctx, playback.value, ['start_call_playback', 'value'], true);
    }
  }
}

function checkConnect(ctx: Ctx, doc: Obj): void {
  unknownKeys(ctx, doc, CONNECT_KEYS, []);
  const dest = doc.destination;
  if (dest === undefined) report(ctx, 'EXO616', [], 'destination is required', '"destination": {"numbers": ["+919812345678"]}');
  else if (!isObject(dest)) report(ctx, 'EXO610', ['destination'], 'destination must be an object');
  else {
    unknownKeys(ctx, dest, ['numbers'], ['destination']);
    const numbers = dest.numbers;
    if (!Array.isArray(numbers) || numbers.length === 0) report(ctx, 'EXO611', Array.isArray(numbers) || numbers !== undefined ? ['destination', 'numbers'] : ['destination'], `destination.numbers is ${numbers === undefined ? 'missing' : show(numbers)}`);
    else {
      const bad = numbers.find((n) => typeof n !== 'string' || !PHONE.test(n));
      if (bad !== undefined) report(ctx, 'EXO611', ['destination', 'numbers'], `destination.numbers: ${show(bad)} is not a phone number`);
    }
  }
  for (const key of ['fetch_after_attempt', 'record']) {
    if (doc[key] !== undefined && typeof doc[key] !== 'boolean') report(ctx, 'EXO610', [key], `${key} ${show(doc[key])}: must be true or false`);
  }
  if (doc.recording_channels !== undefined) checkChoice(ctx, doc.recording_channels, ['recording_channels'], ['single', 'dual']);
  for (const key of ['max_ringing_duration', 'max_conversation_duration']) {
    const value = doc[key];
    if (value === undefined) continue;
    if (!isInt(value) || value < 1) report(ctx, 'EXO613', [key], `${key} ${show(value)}: must be a positive integer`);
    else if (key === 'max_ringing_duration' && value > 60) report(ctx, 'EXO614', [key], `max_ringing_duration ${value} is over 60 s`);
  }
  const exophone = doc.outgoing_phone_number;
  if (exophone !== undefined) {
    if (typeof exophone !== 'string') report(ctx, 'EXO610', ['outgoing_phone_number'], 'outgoing_phone_number must be a string');
    else if (!PHONE.test(exophone)) report(ctx, 'EXO617', ['outgoing_phone_number'], `outgoing_phone_number ${show(exophone)} is not a phone number`);
    else if (!E164.test(exophone)) report(ctx, 'EXO615', ['outgoing_phone_number'], `outgoing_phone_number ${show(exophone)} is not E.164`);
  }
  if (doc.dial_passthru_event_url !== undefined) checkHttpUrl(ctx, doc.dial_passthru_event_url, ['dial_passthru_event_url'], false);
  checkConnectObjects(ctx, doc);
}

function parseJson(ctx: Ctx, body: string): Obj | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const message = errorMessage(error).replace(/, ".*" is not valid JSON$/s, '');
    ctx.out.push(finding('EXO601', body.trim() === '' ? 'the body is empty, not JSON' : `not valid JSON: ${message.slice(0, 120)}`, ctx.loc.fromParseError(message), '$'));
    return undefined;
  }
  if (!isObject(value)) {
    report(ctx, 'EXO601', [], `the body is ${Array.isArray(value) ? 'an array' : `JSON ${show(value)}`}, not an object`);
    return undefined;
  }
  return value;
}

export function validateJsonSurface(kind: JsonKind, body: string, meta?: ResponseMeta): Finding[] {
  const text = body.replace(/^\uFEFF/, '');
  const loc = createLocator(text);
  const ctx: Ctx = { loc, out: meta ? checkResponseMeta(kind, meta) : [] };
  if (kind === 'greeting') ctx.out.push(...checkGreeting(text, loc));
  else {
    const doc = parseJson(ctx, text);
    if (doc) (kind === 'gather-json' ? checkGather : checkConnect)(ctx, doc);
  }
  return sortFindings(ctx.out);
}
