/**
 * DTMF for the simulator: how a phone ends a Gather (finish key, numDigits, timeout), the three ways digits reach
 * the action (docs/exotel-protocol.md §2.4, §5.2, §5.4), and where keys come from (digit groups, one per Gather;
 * pressing nothing; an interactive keypad). Pure except for the injected keypad.
 */
import { UsageError } from '../errors.ts';
import type { GatherInput, HttpMethod, InputSource } from './types.ts';

export const DIGIT_FLAVOURS = ['DigitsPressed', 'digits', 'Digits'] as const;
export type DigitFlavour = (typeof DIGIT_FLAVOURS)[number];

export type GatherKeys = { numDigits?: number | undefined; finishOnKey: string };

export type KeyTake = { digits: string; endedBy: 'finishOnKey' | 'numDigits' | 'timeout'; ignored: string };

/**
 * Press `keys` on a Gather: input ends at the finish key (not sent, §2.4) or when numDigits keys are in; keys
 * after that are ignored. Without either, the Gather waits for its timeout and sends what it has.
 */
export function takeKeys(keys: string, gather: GatherKeys): KeyTake {
  let digits = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (gather.finishOnKey !== '' && key === gather.finishOnKey)
      return { digits, endedBy: 'finishOnKey', ignored: keys.slice(i + 1) };
    digits += key;
    if (gather.numDigits !== undefined && digits.length >= gather.numDigits)
      return { digits, endedBy: 'numDigits', ignored: keys.slice(i + 1) };
  }
  return { digits, endedBy: 'timeout', ignored: '' };
}

export function toGatherInput(keys: string, gather: GatherKeys, source: InputSource): GatherInput {
  const take = takeKeys(keys, gather);
  if (take.digits === '') return { kind: 'no-input', source };
  return { kind: 'keys', pressed: keys, ...take, source };
}

/** The parameter that carries the digits, its value, and the method, per flavour. */
export function digitParam(
  flavour: DigitFlavour,
  digits: string,
  gatherMethod: HttpMethod,
): { name: string; value: string; method: HttpMethod } {
  // Passthru after a Gather applet: a GET with the value in literal double quotes, `digits="1"` (§2.4).
  if (flavour === 'digits') return { name: 'digits', value: `"${digits}"`, method: 'GET' };
  return { name: flavour, value: digits, method: gatherMethod };
}

type GatherQuestion = GatherKeys & { timeoutSeconds: number; prompt: string };

export type KeypadAsk = (question: GatherQuestion) => Promise<string>;

/**
 * Where a Gather's keys come from. `next` resolves with the raw keys ('' = no input); `unused`, for a source of
 * digit groups, lists the groups no Gather took (the call ended first), so the caller can say they were ignored.
 */
export type DigitSource = {
  next: (question: GatherQuestion) => Promise<{ keys: string; source: InputSource }>;
  unused?: () => readonly string[];
};

export type DigitSourceOptions = {
  /** The keys of each Gather in turn ('' = no input). */
  groups?: string[];
  /** With groups: at this Gather (0-based) the caller hangs up instead of pressing (scenario files). */
  hangupAt?: number;
  /** Press nothing: every Gather times out. */
  noInput?: boolean;
  /** The interactive keypad (a terminal); without it or groups, a Gather is a usage error (E_NO_KEYS). */
  keypad?: KeypadAsk;
};

export function createDigitSource(options: DigitSourceOptions): DigitSource {
  const groups = options.groups ? [...options.groups] : undefined;
  let asked = 0;
  return {
    next: async (question) => {
      if (options.noInput) return { keys: '', source: 'no-input' };
      if (asked++ === options.hangupAt) return { keys: '', source: 'hangup' };
      if (groups) {
        const group = groups.shift();
        return group === undefined ? { keys: '', source: 'digits-exhausted' } : { keys: group, source: 'digits' };
      }
      if (options.keypad) return { keys: await options.keypad(question), source: 'keypad' };
      throw new UsageError('the call reached a <Gather> and there is no one to press keys: stdin is not a terminal', {
        code: 'E_NO_KEYS',
      });
    },
    unused: () => (options.noInput || groups === undefined ? [] : [...groups]),
  };
}
