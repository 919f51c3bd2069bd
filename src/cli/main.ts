/** The real process behind `bin/exo-passthru.js`: the only place that reads process.* */
import process from 'node:process';
import { run } from './program.ts';
import { createTerminalPrompts } from './prompts.ts';

export async function main(argv: readonly string[]): Promise<number> {
  return run(argv, {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    onSignal: (handler) => {
      const listener = (signal: NodeJS.Signals) => handler(signal);
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
    prompts: createTerminalPrompts(),
  });
}
