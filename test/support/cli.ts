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
  /** Stands in for the user's browser (`inspect --web`); without it the CLI has none and prints the URL. */
  openUrl?: (url: string) => Promise<boolean>;
};

type CapturedIO = {
  io: CliIO;
  stdout: () => string;
  stderr: () => string;
  signal: (name: string) => void;
  onStdout: (listener: () => void) => void;
};

function captureIO(options: RunCliOptions): CapturedIO {
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
  const signal = (name: string) => {
    for (const handler of handlers) handler(name);
  };
  options.onSignalReady?.(signal);
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
    ...(options.openUrl ? { openUrl: options.openUrl } : {}),
  };
  return { io, stdout: () => out, stderr: () => err, signal, onStdout: (listener) => stdout.on('data', listener) };
}

export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const captured = captureIO(options);
  const code = await run(['node', 'exo-passthru', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/**
 * Run a long-running command (`--watch`, serve) and send SIGINT as soon as `until(stdout)` holds — checked on
 * every write to stdout, no polling — or fail after `timeoutMs` with what was printed so far.
 */
export async function runCliUntil(
  args: readonly string[],
  options: RunCliOptions & {
    until: (stdout: string) => boolean;
    timeoutMs?: number;
    /** Runs once `until` holds, before the SIGINT: checks of what the command leaves only while it runs. */
    whileRunning?: () => Promise<void>;
  },
): Promise<CliResult> {
  const captured = captureIO(options);
  const running = run(['node', 'exo-passthru', ...args], captured.io);
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (options.until(captured.stdout())) resolve();
    };
    captured.onStdout(check);
    check();
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `runCliUntil: condition not met within ${options.timeoutMs ?? 10_000} ms; stdout so far:\n${captured.stdout()}\nstderr:\n${captured.stderr()}`,
          ),
        ),
      options.timeoutMs ?? 10_000,
    );
  });
  try {
    await Promise.race([reached, running]);
  } finally {
    clearTimeout(timer);
  }
  let checked: unknown;
  await options.whileRunning?.().catch((error: unknown) => (checked = error ?? new Error('whileRunning failed')));
  captured.signal('SIGINT');
  const code = await running;
  if (checked !== undefined) throw checked;
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
