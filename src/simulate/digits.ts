/**
 * DTMF for the simulator: `--digits` groups (one per Gather), how a phone ends a Gather (finish key, numDigits,
 * timeout), the three ways digits reach the action (docs/exotel-protocol.md §2.4, §5.2, §5.4), and where keys come
 * from (flags, `--no-input`, an interactive keypad). Pure except for the injected keypad.
 */
import { UsageError } from '../errors.ts';
import type { GatherInput, HttpMethod, InputSource } from './types.ts';

export const DIGIT_FLAVOURS = ['DigitsPressed', 'digits', 'Digits'] as const;
export type DigitFlavour = (typeof DIGIT_FLAVOURS)[number];

/**
 * `1` → ['1'], `2,1` → ['2', '1'], `12#` → ['12#'], `1,,2` → ['1', '', '2'] (an empty group is no input).
 * Spaces are ignored; anything but 0-9 * # is a usage error.
 */
export function parseDigitGroups(raw: string): string[] {
  const groups = raw.split(',').map((group) => group.replace(/\s+/g, ''));
  for (const group of groups) {
    if (!/^[0-9*#]*$/.test(group)) {
      throw new UsageError(`--digits ${JSON.stringify(raw)}: "${group}" has keys a phone does not have (only 0-9, * and #)`, {
        hint: 'one group of keys per Gather, comma-separated: --digits 1 | --digits 2,1 | --digits "12#"',
      });
    }
  }
  return groups;
}

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
    if (gather.finishOnKey !== '' && key === gather.finishOnKey) return { digits, endedBy: 'finishOnKey', ignored: keys.slice(i + 1) };
    digits += key;
    if (gather.numDigits !== undefined && digits.length >= gather.numDigits) return { digits, endedBy: 'numDigits', ignored: keys.slice(i + 1) };
  }
  return { digits, endedBy: 'timeout', ignored: '' };
}

export function toGatherInput(keys: string, gather: GatherKeys, source: InputSource): GatherInput {
  const take = takeKeys(keys, gather);
  if (take.digits === '') return { kind: 'no-input', source };
  return { kind: 'keys', pressed: keys, ...take, source };
}

/** The parameter that carries the digits, its value, and the method, per flavour. */
export function digitParam(flavour: DigitFlavour, digits: string, gatherMethod: HttpMethod): { name: string; value: string; method: HttpMethod } {
  // Passthru after a Gather applet: a GET with the value in literal double quotes, `digits="1"` (§2.4).
  if (flavour === 'digits') return { name: 'digits', value: `"${digits}"`, method: 'GET' };
  return { name: flavour, value: digits, method: gatherMethod };
}

export type GatherQuestion = GatherKeys & { timeoutSeconds: number; prompt: string };

export type KeypadAsk = (question: GatherQuestion) => Promise<string>;

/** Where a Gather's keys come from. `next` resolves with the raw keys ('' = no input). */
export type DigitSource = { next: (question: GatherQuestion) => Promise<{ keys: string; source: InputSource }> };

export type DigitSourceOptions = {
  /** `--digits`, already split into groups. */
  groups?: string[];
  noInput?: boolean;
  /** The interactive keypad (a terminal); without it, a Gather with no --digits is a usage error. */
  keypad?: KeypadAsk;
};

export function createDigitSource(options: DigitSourceOptions): DigitSource {
  const groups = options.groups ? [...options.groups] : undefined;
  return {
    next: async (question) => {
      if (options.noInput) return { keys: '', source: 'no-input' };
      if (groups) {
        const group = groups.shift();
        return group === undefined ? { keys: '', source: 'digits-exhausted' } : { keys: group, source: 'digits' };
      }
      if (options.keypad) return { keys: await options.keypad(question), source: 'keypad' };
      throw new UsageError('the call reached a <Gather> and there is no one to press keys: stdin is not a terminal', {
        hint: 'give the keys with --digits 1 (comma-separated, one group per Gather), or --no-input to let every Gather time out',
      });
    },
  };
}
