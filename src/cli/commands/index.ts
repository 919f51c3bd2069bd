/**
 * Every subcommand registers itself here; each returns its commander Command. Each is loaded only when it is
 * needed: a run that names one (`url --csv …`) loads that one alone, so it does not pay for every other
 * command's modules (about 9 MB of RSS for `url`, measured); help and unknown commands load them all.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

type RegisterCommand = (program: Command, ctx: CliContext) => Command;

type CommandEntry = { name: string; load: () => Promise<RegisterCommand> };

const COMMANDS: readonly CommandEntry[] = [
  { name: 'serve', load: async () => (await import('./serve.ts')).registerServe },
  { name: 'url', load: async () => (await import('./url/index.ts')).registerUrl },
  { name: 'simulate', load: async () => (await import('./simulate/index.ts')).registerSimulate },
  { name: 'validate', load: async () => (await import('./validate/index.ts')).registerValidate },
  { name: 'inspect', load: async () => (await import('./inspect/index.ts')).registerInspect },
  { name: 'test', load: async () => (await import('./test/index.ts')).registerTest },
  { name: 'stream', load: async () => (await import('./stream/index.ts')).registerStream },
  { name: 'trigger', load: async () => (await import('./trigger/index.ts')).registerTrigger },
];

/**
 * The commands a run needs: the one its arguments name (the first that is not a global option or the value of
 * --env-file), or all of them (help, a mistyped name that commander suggests a command for).
 */
export function commandsFor(args: readonly string[]): readonly CommandEntry[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--env-file') i++;
    else if (arg === '--') break;
    else if (!arg.startsWith('-')) {
      const named = COMMANDS.filter((command) => command.name === arg);
      return named.length > 0 ? named : COMMANDS;
    }
  }
  return COMMANDS;
}
