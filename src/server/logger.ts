/** Server logging: one line per request, phone numbers masked (they are PII; docs/exotel-protocol.md §9.1 item 9). */
import { errorMessage } from '../errors.ts';
import { maskPhone } from '../exotel/phone.ts';

export type Logger = {
  info: (message: string) => void;
  error: (message: string, error?: unknown) => void;
};

export function createStreamLogger(write: (line: string) => void, options: { debug?: boolean } = {}): Logger {
  return {
    info: (message) => write(`${maskPhone(message)}\n`),
    error: (message, error) => {
      const detail = error === undefined ? '' : `: ${errorMessage(error)}`;
      write(`${maskPhone(`error: ${message}${detail}`)}\n`);
      if (options.debug && error instanceof Error && error.stack) write(`${maskPhone(error.stack)}\n`);
    },
  };
}

/** A logger that keeps lines in memory (tests, embedding). */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(maskPhone(message)),
    error: (message, error) => lines.push(maskPhone(`error: ${message}${error === undefined ? '' : `: ${errorMessage(error)}`}`)),
  };
}
