/**
 * What a CLI run touches, injected so tests can run commands in-process with captured streams
 * (docs/architecture.md: `run(argv, deps)`). `main.ts` fills it from the real process.
 */
import type { Readable } from 'node:stream';
import type { Config, ConfigFlags } from '../config.ts';
import type { Output, OutStream } from './output.ts';

type InStream = Readable & { isTTY?: boolean };

export type CliIO = {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  /** Subscribe to SIGINT/SIGTERM; returns an unsubscribe function. */
  onSignal: (handler: (signal: string) => void) => () => void;
  /** Interactive prompts; tests inject scripted answers. */
  prompts?: PromptDeps;
  /**
   * Open a URL in the user's browser; resolves false when there is no browser to open (no display, no launcher).
   * Absent (tests): commands print the URL instead.
   */
  openUrl?: (url: string) => Promise<boolean>;
};

/** One entry of a pick list: what the user reads (`name`, `description`) and what the command gets (`value`). */
export type Choice = { name: string; value: string; description?: string };

export type PickQuestion = { message: string; choices: readonly Choice[] };

export type PromptDeps = {
  /** Ask for DTMF keys; resolves with the keys typed ('' for no input). */
  keypad: (question: {
    message: string;
    numDigits?: number;
    finishOnKey?: string;
    timeoutSeconds?: number;
  }) => Promise<string>;
  /** Pick one of a short list with the arrow keys; resolves with its value. Absent: the command asks for a flag. */
  select?: (question: PickQuestion) => Promise<string>;
  /** Pick one of a long list by typing part of it; resolves with its value. Absent: the command asks for a flag. */
  search?: (question: PickQuestion) => Promise<string>;
};

export type GlobalOptions = { json: boolean; debug: boolean; color: boolean; envFile: string | undefined };

export type CliContext = {
  io: CliIO;
  globals: () => GlobalOptions;
  output: () => Output;
  loadConfig: (flags?: ConfigFlags) => Promise<Config>;
  setExitCode: (code: number) => void;
};
