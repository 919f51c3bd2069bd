/**
 * The strict ExoML dialect as data (docs/exotel-protocol.md §5.5, §10.5): which elements exist, what each may
 * contain, and the attribute whitelist with a type per attribute (the union of goexoml §5.1 and the
 * developer.exotel.com verb pages §5.2). Attribute and element names are case-sensitive.
 */
import type { Code } from './codes.ts';

export type AttrType =
  | { kind: 'int'; code: Code; min: number; max?: number }
  | { kind: 'bool' }
  | { kind: 'method' }
  | { kind: 'url' }
  | { kind: 'voice' }
  | { kind: 'language' }
  | { kind: 'finishOnKey'; multiple: boolean }
  | { kind: 'phone' }
  | { kind: 'dtmf' }
  | { kind: 'choice'; values: readonly string[]; list: boolean };

/** What an element's text content must be. */
type TextKind = 'none' | 'say' | 'audio-url' | 'url' | 'phone';

export type ElementSpec = {
  attrs: Readonly<Record<string, AttrType>>;
  children: readonly string[];
  text: TextKind;
  /** Only with --allow-twiml-extras. */
  extra?: boolean;
};

const int = (code: Code, min: number, max?: number): AttrType => (max === undefined ? { kind: 'int', code, min } : { kind: 'int', code, min, max });
const url: AttrType = { kind: 'url' };
const method: AttrType = { kind: 'method' };
const bool: AttrType = { kind: 'bool' };
const loop = int('EXO205', 0);

const TOP_LEVEL_VERBS = ['Say', 'Play', 'Gather', 'Dial', 'Record', 'Redirect', 'Hangup', 'Pause'] as const;

export const ELEMENTS: Readonly<Record<string, ElementSpec>> = {
  Response: { attrs: {}, children: TOP_LEVEL_VERBS, text: 'none' },
  Say: { attrs: { voice: { kind: 'voice' }, language: { kind: 'language' }, loop }, children: [], text: 'say' },
  Play: { attrs: { loop, digits: { kind: 'dtmf' } }, children: [], text: 'audio-url' },
  Gather: {
    attrs: {
      action: url,
      method,
      timeout: int('EXO206', 1, 60),
      finishOnKey: { kind: 'finishOnKey', multiple: false },
      numDigits: int('EXO207', 1),
      maxDigits: int('EXO207', 1),
    },
    children: ['Say', 'Play', 'Pause'],
    text: 'none',
  },
  Dial: {
    attrs: {
      action: url,
      method,
      timeout: int('EXO206', 1, 120),
      hangupOnStar: bool,
      timeLimit: int('EXO213', 1, 14400),
      callerId: { kind: 'phone' },
      record: bool,
    },
    children: ['Number'],
    text: 'phone',
  },
  Number: {
    attrs: {
      sendDigits: { kind: 'dtmf' },
      URL: url,
      method,
      statusCallbackEvent: { kind: 'choice', values: ['initiated', 'ringing', 'answered', 'completed'], list: true },
      StatusCallback: url,
      StatusCallbackMethod: method,
    },
    children: [],
    text: 'phone',
  },
  Record: {
    attrs: {
      action: url,
      method,
      timeout: int('EXO206', 1),
      finishOnKey: { kind: 'finishOnKey', multiple: true },
      maxLength: int('EXO212', 1, 3600),
      transcribe: bool,
      transcribeCallback: url,
      playBeep: bool,
      trim: { kind: 'choice', values: ['trim-silence', 'do-not-trim'], list: false },
    },
    children: [],
    text: 'none',
  },
  Redirect: { attrs: { method }, children: [], text: 'url' },
  Hangup: { attrs: {}, children: [], text: 'none' },
  Pause: { attrs: { length: int('EXO216', 1) }, children: [], text: 'none', extra: true },
};

export const ELEMENT_NAMES = Object.keys(ELEMENTS);

/** Exotel's <Say language> short codes (§5.2) plus gu, pa, or (§5.5). */
export const SAY_LANGUAGES = ['en', 'hi', 'ta', 'te', 'kn', 'ml', 'bn', 'mr', 'gu', 'pa', 'or'] as const;

/** `^\+?[0-9]{10,15}$` or `0[0-9]{10}` (§10.5); SIP URIs for Dial/Number text (§5.2). */
export const PHONE = /^(?:\+?[0-9]{10,15}|0[0-9]{10})$/;
export const SIP_URI = /^sips?:[^\s@]+@[^\s@]+$/;
