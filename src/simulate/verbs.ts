/**
 * ExoML elements → what the caller hears and what the call does, with Exotel's defaults filled in
 * (docs/exotel-protocol.md §5.2: Gather timeout 5 s, finishOnKey '#', method POST; Dial and Redirect method POST).
 * Values the validator rejects are read leniently here: the simulator still plays what a phone would. Pure.
 */
import type { ExomlNode } from '../exoml/parse.ts';
import { parseWholeNumber } from '../util/whole-number.ts';
import type { HttpMethod, PlayedDial, PlayedGather, PlayedPrompt, PlayedRecord, PlayedVerb } from './types.ts';

const GATHER_DEFAULT_TIMEOUT = 5;

const clean = (text: string) => text.replace(/\s+/g, ' ').trim();

function method(node: ExomlNode): HttpMethod {
  return node.attrs.method?.trim().toUpperCase() === 'GET' ? 'GET' : 'POST';
}

function positiveInt(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : parseWholeNumber(raw.trim(), { min: 1 });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function toPrompt(node: ExomlNode): PlayedPrompt | undefined {
  const at = { line: node.line, path: node.path };
  if (node.name === 'Say') {
    return { verb: 'Say', ...at, text: clean(node.text), ...optional('language', node.attrs.language), ...optional('voice', node.attrs.voice), ...optional('loop', node.attrs.loop) };
  }
  if (node.name === 'Play') return { verb: 'Play', ...at, url: clean(node.text), ...optional('loop', node.attrs.loop) };
  return undefined;
}

/** `action` is the raw attribute ('' when absent: the current document URL, §5.2); the caller resolves it. */
export function toGather(node: ExomlNode): PlayedGather {
  const numDigits = positiveInt(node.attrs.numDigits ?? node.attrs.maxDigits);
  return {
    verb: 'Gather',
    line: node.line,
    path: node.path,
    ...(numDigits !== undefined ? { numDigits } : {}),
    timeout: positiveInt(node.attrs.timeout) ?? GATHER_DEFAULT_TIMEOUT,
    finishOnKey: node.attrs.finishOnKey ?? '#',
    action: node.attrs.action?.trim() ?? '',
    method: method(node),
    prompts: node.children.map(toPrompt).filter((p): p is PlayedPrompt => p !== undefined),
  };
}

export function toDial(node: ExomlNode): PlayedDial {
  const nested = node.children.filter((c) => c.name === 'Number').map((c) => clean(c.text));
  const numbers = nested.length > 0 ? nested : [clean(node.text)].filter((n) => n !== '');
  return {
    verb: 'Dial',
    line: node.line,
    path: node.path,
    numbers,
    method: method(node),
    ...optional('callerId', node.attrs.callerId),
    ...optional('action', node.attrs.action?.trim() || undefined),
    ...optional('timeout', node.attrs.timeout),
  };
}

export function toRecord(node: ExomlNode): PlayedRecord {
  return {
    verb: 'Record',
    line: node.line,
    path: node.path,
    method: method(node),
    ...optional('action', node.attrs.action?.trim() || undefined),
    ...optional('maxLength', node.attrs.maxLength),
    ...optional('finishOnKey', node.attrs.finishOnKey),
  };
}

/** The verbs that need no decision: Say, Play, Pause, Hangup, Redirect and anything unknown. */
export function toSimpleVerb(node: ExomlNode): PlayedVerb {
  const at = { line: node.line, path: node.path };
  const prompt = toPrompt(node);
  if (prompt) return prompt;
  switch (node.name) {
    case 'Hangup':
      return { verb: 'Hangup', ...at };
    case 'Redirect':
      return { verb: 'Redirect', ...at, url: clean(node.text), method: method(node) };
    case 'Pause':
      return { verb: 'Pause', ...at, ...optional('length', node.attrs.length) };
    default:
      return { verb: 'Other', ...at, name: node.name };
  }
}

/** What a Gather "says" while it waits, for the keypad question. */
export function promptText(gather: PlayedGather): string {
  return gather.prompts.map((p) => (p.verb === 'Say' ? p.text : `(audio ${p.url})`)).join(' ');
}
