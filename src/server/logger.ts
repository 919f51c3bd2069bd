/** Server logging: one line per request, phone numbers masked (they are PII; docs/exotel-protocol.md §9.1 item 9). */
import { errorMessage } from '../errors.ts';
import { maskPhone } from '../exotel/phone.ts';

export type Logger = {
  info: (message: string) => void;
  error: (message: string, error?: unknown) => void;
};

export type StreamLoggerOptions = {
  debug?: boolean;
  /** How an error reads in a line: the caller's wording (serve passes the CLI's), else its message. */
  describe?: (error: unknown) => string;
};

export function createStreamLogger(write: (line: string) => void, options: StreamLoggerOptions = {}): Logger {
  const describe = options.describe ?? errorMessage;
  return {
    info: (message) => write(`${maskPhone(message)}\n`),
    error: (message, error) => {
      const detail = error === undefined ? '' : `: ${describe(error)}`;
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
