/**
 * The commander program. `run(argv, io)` is the whole CLI, in-process: it never calls process.exit and
 * returns the exit code (0 ok · 1 check failed · 2 usage · 3 unreachable).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.ts';
import { EXIT, isAppError, UsageError } from '../errors.ts';
import type { CliContext, CliIO, GlobalOptions } from './context.ts';
import { createOutput, type Output } from './output.ts';
import { commandsFor } from './commands/index.ts';
import { VERSION } from './version.ts';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a check failed (invalid ExoML, failed expectation, rejected CSV rows)
  2  usage error (bad flag, missing file)
  3  a dependency is unreachable (server, Redis, PostgreSQL)`;

const EXAMPLES = `
Examples:
  $ exo-passthru serve                          # bot server on embedded stores, port 8000
  $ exo-passthru serve --port 0 --redis-url redis://127.0.0.1:6379 --database-url postgres://postgres@127.0.0.1/test
  $ exo-passthru simulate --digits 1            # play a call against the local server
  $ exo-passthru validate response.xml --strict
  $ exo-passthru url --csv customers.csv --base-url https://bot.example.com
  $ exo-passthru inspect calls --limit 10 --json`;

async function readDotenv(io: CliIO, envFile: string | undefined): Promise<string | undefined> {
  const path = envFile ?? join(io.cwd, '.env');
  const resolved = isAbsolute(path) ? path : join(io.cwd, path);
  try {
    return await readFile(resolved, 'utf8');
  } catch (error) {
    if (envFile !== undefined) throw new UsageError(`cannot read --env-file ${envFile}`, { cause: error });
    return undefined;
  }
}

async function createProgram(ctx: CliContext, args: readonly string[], jsonRequested: () => boolean): Promise<Command> {
  const program = new Command('exo-passthru')
    .description('CLI, local simulator and pass-through bot server for Exotel voice bots')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON on stdout (logs stay on stderr)', false)
    .option('--debug', 'show stack traces and causes of errors', false)
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .option('--env-file <path>', 'read settings from this file instead of ./.env')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES_HELP}`)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      // Under --json the parser's own error text is replaced by the JSON error object (run below).
      writeErr: (text) => {
        if (!jsonRequested()) ctx.io.stderr.write(text);
      },
    });
  for (const entry of commandsFor(args)) {
    const command = (await entry.load())(program, ctx);
    command.addHelpText('after', EXIT_CODES_HELP).exitOverride();
  }
  return program;
}

/**
 * Commander suggests by edit distance only, so `serve --redis` (a prefix of --redis-url and --redis-prefix) gets
 * nothing: name the long flags of the command in use that the unknown one begins.
 */
function suggestFlag(program: Command, args: readonly string[], message: string): string | undefined {
  const unknown = /unknown option '(--[^'=]+)/.exec(message)?.[1];
  if (unknown === undefined || message.includes('Did you mean')) return undefined;
  let command = program;
  for (const arg of args) {
    const sub = command.commands.find((c) => c.name() === arg);
    if (sub !== undefined) command = sub;
  }
  const flags = [...command.options, ...program.options]
    .map((option) => option.long)
    .filter((long): long is string => long !== undefined);
  const matches = flags.filter((long) => long.startsWith(`${unknown}-`) || long.startsWith(unknown));
  return matches.length === 0 ? undefined : `(Did you mean ${matches.join(' or ')}?)`;
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  let program: Command | undefined;
  const globals = (): GlobalOptions => {
    const opts = program?.opts<{ json?: boolean; debug?: boolean; color?: boolean; envFile?: string }>() ?? {};
    return { json: opts.json === true, debug: opts.debug === true, color: opts.color !== false, envFile: opts.envFile };
  };
  let output: Output | undefined;
  const getOutput = () => {
    output ??= createOutput({ stdout: io.stdout, stderr: io.stderr, env: io.env, ...globals() });
    return output;
  };
  const ctx: CliContext = {
    io,
    globals,
    output: getOutput,
    loadConfig: async (flags?: ConfigFlags) => {
      const envFile = globals().envFile;
      return loadConfig({ env: io.env, flags: flags ?? {}, dotenv: await readDotenv(io, envFile) });
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  // The parser may fail before it has read --json into the options: the argv (before `--`) says it too.
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const jsonRequested = () => globals().json || (end < 0 ? args : args.slice(0, end)).includes('--json');
  try {
    program = await createProgram(ctx, args, jsonRequested);
    await program.parseAsync(argv.slice(2), { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      const suggestion =
        error.code === 'commander.unknownOption' && program ? suggestFlag(program, args, error.message) : undefined;
      if (suggestion !== undefined && !jsonRequested()) io.stderr.write(`${suggestion}\n`);
      if (jsonRequested()) {
        const message = `${error.message.replace(/^error: /, '')}${suggestion ? `\n${suggestion}` : ''}`;
        createOutput({ stdout: io.stdout, stderr: io.stderr, env: io.env, ...globals(), json: true }).error(
          new UsageError(message, { hint: 'run with --help for usage' }),
        );
      }
      return EXIT.usage;
    }
    getOutput().error(error);
    return isAppError(error) ? error.exitCode : EXIT.checkFailed;
  }
}
