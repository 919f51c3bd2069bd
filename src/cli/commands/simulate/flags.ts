/**
 * The grammar of simulate's own flags (`--digits`, `--expect`, the whole numbers of `--timeout`, `--max-steps`,
 * `--row`, `--calls` …) and the names the transcript uses for them: the simulator speaks of a time budget and a
 * step limit, the user typed `--timeout` and `--max-steps`. Shared by `simulate` and `simulate campaign`.
 */
import { UsageError } from '../../../errors.ts';
import { EXPECT_FORMS, type Expectation } from '../../../simulate/expect.ts';
import type { InputNames } from '../../../simulate/types.ts';
import { parseWholeNumber } from '../../../util/whole-number.ts';

/** How the transcript and its reasons name the inputs: by the flags that set them. */
export const INPUT_NAMES: InputNames = { timeout: '--timeout', maxSteps: '--max-steps', digits: '--digits', noInput: '--no-input' };

/** A whole number from 1 to `max` (surrounding spaces allowed). */
export function wholeFlag(flag: string, raw: string, max: number): number {
  const value = parseWholeNumber(raw.trim(), { min: 1, max });
  if (value === undefined) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got "${raw}"`);
  return value;
}

/**
 * `--digits`: `1` → ['1'], `2,1` → ['2', '1'], `12#` → ['12#'], `1,,2` → ['1', '', '2'] (an empty group is no
 * input). Spaces are ignored; anything but 0-9 * # is a usage error.
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

/** `--expect`: one of EXPECT_FORMS. */
export function parseExpectation(raw: string): Expectation {
  const text = raw.trim();
  if (text === 'dial' || text === 'hangup' || text === 'no-input') return { raw: text, kind: text };
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? '' : text.slice(colon + 1).trim();
  if ((head === 'dial' || head === 'say') && value !== '') return { raw: text, kind: head === 'dial' ? 'dial-number' : 'say', value };
  throw new UsageError(`--expect ${JSON.stringify(raw)}: expected one of ${EXPECT_FORMS.join(', ')}`, {
    hint: '--expect dial --expect say:"press 1" (repeatable)',
  });
}
