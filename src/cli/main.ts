/** The real process behind `bin/exo-passthru.js`: the only place that reads process.* */
import process from 'node:process';
import { browserLauncher, openWith } from './open-url.ts';
import { run } from './program.ts';
import { createTerminalPrompts } from './prompts.ts';
import { watchStdio } from './stdio.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const stdio = watchStdio(process.stdout, process.stderr);
  const code = await run(argv, {
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
    openUrl: async (url) => {
      const launcher = browserLauncher(process.platform, process.env);
      return launcher === undefined ? false : openWith(launcher, url);
    },
  });
  return stdio.finish(code);
}
