/** Interactive prompts (@inquirer/prompts), loaded lazily so non-interactive commands never pay for them. */
import process from 'node:process';
import { CheckFailedError, UsageError } from '../errors.ts';
import type { Choice, PickQuestion, PromptDeps } from './context.ts';

type KeypadQuestion = Parameters<PromptDeps['keypad']>[0];

const KEYS = /^[0-9*#]*$/;

function keypadMessage({ message, numDigits, finishOnKey, timeoutSeconds }: KeypadQuestion): string {
  const hint = [
    numDigits ? `${numDigits} key${numDigits > 1 ? 's' : ''}` : undefined,
    finishOnKey ? `${finishOnKey} ends` : undefined,
    timeoutSeconds ? `${timeoutSeconds} s timeout` : undefined,
    'Enter sends, empty = no input',
  ];
  return `${message} (${hint.filter(Boolean).join('; ')})`;
}

/**
 * A phone keypad on the terminal, drawn on stderr (stdout carries the transcript or the JSON): the input ends
 * like a Gather's does, when numDigits keys are in or the finish key is pressed, or on Enter; after `timeout`
 * seconds without a key it sends what was typed (nothing = no input).
 */
async function askKeypad(question: KeypadQuestion): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  const controller = new AbortController();
  let latest = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    if (question.timeoutSeconds) timer = setTimeout(() => controller.abort(), question.timeoutSeconds * 1000);
  };
  const complete = (value: string) =>
    KEYS.test(value) &&
    ((question.numDigits !== undefined &&
      value.replace(question.finishOnKey || '\u0000', '').length >= question.numDigits) ||
      (question.finishOnKey !== undefined && question.finishOnKey !== '' && value.endsWith(question.finishOnKey)));
  arm();
  try {
    const answer = await input(
      {
        message: keypadMessage(question),
        validate: (value) => (KEYS.test(value.trim()) ? true : 'only 0-9, * and # are keys on a phone'),
        transformer: (value, { isFinal }) => {
          if (!isFinal && value !== latest) {
            latest = value;
            arm();
            // Like a phone: the Gather ends by itself; abort the prompt after this render and send the keys.
            if (complete(value)) setImmediate(() => controller.abort());
          }
          return value;
        },
      },
      { signal: controller.signal, output: process.stderr },
    );
    return answer.trim();
  } catch (error) {
    if (controller.signal.aborted) return latest.trim();
    if (error instanceof Error && error.name === 'ExitPromptError')
      throw new CheckFailedError('the keypad was closed (Ctrl+C): call abandoned', { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Ctrl+C in a picker: nothing was chosen, so nothing runs (exit 2, like a missing argument). */
async function picked(ask: () => Promise<string>): Promise<string> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError')
      throw new UsageError('nothing chosen (Ctrl+C)', { cause: error });
    throw error;
  }
}

async function askSelect({ message, choices }: PickQuestion): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  return picked(() => select({ message, choices, pageSize: 12 }, { output: process.stderr }));
}

/** Every word typed must appear in the entry's name or description, in any order, ignoring case. */
function matches(choice: Choice, term: string | undefined): boolean {
  const text = `${choice.name} ${choice.description ?? ''}`.toLowerCase();
  return (term ?? '')
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

async function askSearch({ message, choices }: PickQuestion): Promise<string> {
  const { search } = await import('@inquirer/prompts');
  return picked(() =>
    search(
      { message, source: (term) => choices.filter((c) => matches(c, term)), pageSize: 12 },
      { output: process.stderr },
    ),
  );
}

export function createTerminalPrompts(): PromptDeps {
  return { keypad: askKeypad, select: askSelect, search: askSearch };
}
