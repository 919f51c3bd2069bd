/** Interactive prompts (@inquirer/prompts), loaded lazily so non-interactive commands never pay for them. */
import type { PromptDeps } from './context.ts';

export function createTerminalPrompts(): PromptDeps {
  return {
    keypad: async ({ message, numDigits, finishOnKey }) => {
      const { input } = await import('@inquirer/prompts');
      const hint = [numDigits ? `${numDigits} key${numDigits > 1 ? 's' : ''}` : undefined, finishOnKey ? `end with ${finishOnKey}` : undefined]
        .filter(Boolean)
        .join(', ');
      const answer = await input({
        message: hint ? `${message} (${hint}; empty = no input)` : `${message} (empty = no input)`,
        validate: (value) => (/^[0-9*#]*$/.test(value.trim()) ? true : 'only 0-9, * and # are keys on a phone'),
      });
      return answer.trim();
    },
  };
}
