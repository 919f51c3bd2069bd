/** Shared by the inspect tests: calls made through serve's webhooks, and a CLI run that can be stopped mid-way. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/program.ts';
import type { CliIO } from '../../src/cli/context.ts';

export type CallPlan = { sid: string; customerId: string; name: string; phone: string; language: string; press: '1' | '2' | 'none' | 'hang-up' };

/**
 * One call as Exotel would make it: the Passthru greeting, then the Gather answer. '1' → agent_transfer,
 * '2' → declined, 'none' → re-prompt then silence → no_input, 'hang-up' → greeted only (the row stays open).
 */
export async function makeCall(base: string, plan: CallPlan): Promise<void> {
  const q = new URLSearchParams({ CallSid: plan.sid, customer_id: plan.customerId, customer_name: plan.name, From: plan.phone, To: '04446972509', language_code: plan.language });
  const greet = await fetch(`${base}/passthru-handler?${q}`);
  assert.equal(greet.status, 200, await greet.text());
  const gather = async (form: Record<string, string>) => {
    const res = await fetch(`${base}/gather-response`, { method: 'POST', body: new URLSearchParams({ CallSid: plan.sid, ...form }) });
    assert.equal(res.status, 200, await res.text());
  };
  if (plan.press === '1') await gather({ DigitsPressed: '1' });
  if (plan.press === '2') await gather({ digits: '"2"' });
  if (plan.press === 'none') {
    await gather({});
    await gather({ DigitsPressed: '' });
  }
}

export type StoppableRun = { code: number; stdout: string; stderr: string };

/**
 * Run the CLI in-process and send SIGINT once `until(stdout)` holds (polled with a deadline), for --watch.
 * test/support/cli.ts returns the output only at the end; this one lets the test look while it runs.
 */
export async function runUntil(args: readonly string[], options: { env?: Record<string, string>; cwd: string; tty?: boolean; until: (stdout: string) => boolean }): Promise<StoppableRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  Object.assign(stdout, { isTTY: options.tty === true });
  const handlers = new Set<(signal: string) => void>();
  const io: CliIO = {
    env: { NO_COLOR: '1', ...(options.env ?? {}) },
    cwd: options.cwd,
    stdout,
    stderr,
    stdin,
    onSignal: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  let finished = false;
  const running = run(['node', 'exo-passthru', ...args], io).finally(() => {
    finished = true;
  });
  const deadline = Date.now() + 10_000;
  while (!finished && !options.until(out)) {
    if (Date.now() > deadline) throw new Error(`runUntil: condition not met within 10 s; stdout so far:\n${out}\nstderr:\n${err}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  handlers.forEach((handler) => handler('SIGINT'));
  const code = await running;
  return { code, stdout: out, stderr: err };
}

/** No stack trace lines, and exactly one `error:` line. */
export function assertOneLineError(stderr: string, pattern: RegExp): void {
  const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0] ?? '', pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, stderr);
}
