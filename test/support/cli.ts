/** Run the CLI in-process (`run(argv, io)`) with captured streams: fast, no spawn, real code paths. */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/program.ts';
import type { CliIO, PromptDeps } from '../../src/cli/context.ts';

export type CliResult = { code: number; stdout: string; stderr: string };

export type RunCliOptions = {
  env?: Record<string, string | undefined>;
  stdin?: string | Buffer;
  cwd?: string;
  /** Pretend stdin/stdout are a terminal. */
  tty?: boolean;
  prompts?: PromptDeps;
  /** Receives the signal trigger so a test can stop a long-running command (serve). */
  onSignalReady?: (trigger: (signal: string) => void) => void;
};

export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  stdin.end(options.stdin ?? '');
  const tty = options.tty === true;
  Object.assign(stdout, { isTTY: tty });
  Object.assign(stderr, { isTTY: tty });
  Object.assign(stdin, { isTTY: tty });
  const handlers = new Set<(signal: string) => void>();
  options.onSignalReady?.((signal) => handlers.forEach((h) => h(signal)));
  const io: CliIO = {
    env: { NO_COLOR: '1', ...(options.env ?? {}) },
    cwd: options.cwd ?? process.cwd(),
    stdout,
    stderr,
    stdin,
    onSignal: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ...(options.prompts ? { prompts: options.prompts } : {}),
  };
  const code = await run(['node', 'exo-passthru', ...args], io);
  return { code, stdout: out, stderr: err };
}
