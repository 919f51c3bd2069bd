/**
 * Everything the user sees goes through here: results on stdout, logs on stderr, `--json` prints only JSON on
 * stdout, chalk only in this file (it honours NO_COLOR / FORCE_COLOR and non-TTY through the level we pass).
 */
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import { errorMessage, isAppError } from '../errors.ts';
import { describeError } from './errors.ts';

/** A stdout or stderr (CliIO injects them): `isTTY` decides the colour level. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

export type Output = {
  readonly json: boolean;
  readonly color: ChalkInstance;
  /** A line of result on stdout (suppressed in --json mode). */
  result: (text: string) => void;
  /** A JSON document on stdout (pretty). */
  printJson: (value: unknown) => void;
  /** One compact JSON line on stdout (streams of events, machine-read first lines). */
  printJsonLine: (value: unknown) => void;
  /** A log line on stderr. */
  info: (text: string) => void;
  warn: (text: string) => void;
  /** Format an error for the user: message + hint; stack and causes only with --debug. */
  error: (error: unknown) => void;
};

export type OutputOptions = {
  stdout: OutStream;
  stderr: OutStream;
  json: boolean;
  debug: boolean;
  color: boolean;
  env: Readonly<Record<string, string | undefined>>;
};

function colorLevel(stream: OutStream, env: Readonly<Record<string, string | undefined>>, wanted: boolean): 0 | 1 | 2 | 3 {
  if (!wanted) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return 1;
  return stream.isTTY ? 1 : 0;
}

export function createOutput(options: OutputOptions): Output {
  const out = new Chalk({ level: colorLevel(options.stdout, options.env, options.color) });
  const err = new Chalk({ level: colorLevel(options.stderr, options.env, options.color) });
  const write = (stream: OutStream, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    json: options.json,
    color: out,
    result: (text) => {
      if (!options.json) write(options.stdout, text);
    },
    printJson: (value) => write(options.stdout, JSON.stringify(value, null, 2)),
    printJsonLine: (value) => write(options.stdout, JSON.stringify(value)),
    info: (text) => write(options.stderr, text),
    warn: (text) => write(options.stderr, `${err.yellow('warning:')} ${text}`),
    error: (error) => {
      const { message, hint } = describeError(error);
      if (options.json) {
        // --json: the error is data too, one JSON line on stderr, so stdout still parses as the result alone (a
        // call's document is printed even when the server then proves unreachable).
        const code = isAppError(error) ? error.code : 'E_INTERNAL';
        write(options.stderr, JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }));
      } else {
        write(options.stderr, `${err.red('error:')} ${message}`);
        if (hint) write(options.stderr, `${err.dim('hint:')} ${hint}`);
      }
      if (options.debug && error instanceof Error) {
        write(options.stderr, err.dim(error.stack ?? ''));
        let cause: unknown = error.cause;
        while (cause !== undefined) {
          write(options.stderr, err.dim(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : errorMessage(cause)}`));
          cause = cause instanceof Error ? cause.cause : undefined;
        }
      } else if (!isAppError(error) && !options.json) {
        write(options.stderr, err.dim('hint: run again with --debug for the stack trace'));
      }
    },
  };
}
