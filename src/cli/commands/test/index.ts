/**
 * `exo-passthru test [paths…]`: run scenario files (src/scenarios/) over the simulate engine against a URL, or
 * against the bundled server started for the run (--start-server), and report pretty, JSON or JUnit XML.
 * Exit: 0 all passed · 1 any failed · 2 a bad scenario file or usage · 3 the target is unreachable.
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Option, type Command } from 'commander';
import { errorMessage, EXIT, UnreachableError, UsageError } from '../../../errors.ts';
import type { Totals } from '../../../scenarios/report.ts';
import type { ScenarioResult } from '../../../scenarios/types.ts';
import type { CliContext } from '../../context.ts';
import { wholeFlag } from '../simulate/flags.ts';
import { runAll, type RunFlags } from './runner.ts';

type TestFlags = RunFlags & {
  reporter: 'pretty' | 'json' | 'junit';
  out?: string;
  concurrency: string;
  grep?: string;
  timeout: string;
  maxSteps: string;
};

const HELP = `
Scenario files are YAML, one or more scenarios per file separated by ---; the format is in the README and in
docs/scenario.schema.json. Arguments are files, directories (every .yaml / .yml under them) or globs.

--start-server runs the bundled server on 127.0.0.1 at a free port with embedded stores (memory sessions,
in-memory PGlite) and checks state: through it. Otherwise the URL is --url, else each scenario's url:, and state:
is read from REDIS_URL / DATABASE_URL directly, or through serve's admin API with ADMIN_TOKEN.

Scenarios can be recorded: simulate --record <file> saves the call it played, serve --record <dir> every call it
answers (phone numbers and names as placeholders).

Exit: 0 every scenario passed · 1 a scenario failed · 2 a bad scenario file (file:line:col) or usage ·
3 the target is unreachable.

Examples:
  $ exo-passthru test --start-server fixtures/scenarios
  $ exo-passthru test scenarios/ --url https://staging.example.com/passthru-handler --reporter junit --out junit.xml
  $ exo-passthru test "scenarios/**/*.yaml" --grep hindi --bail
  $ REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test exo-passthru test calls/ --url http://127.0.0.1:8000/passthru-handler`;

function pattern(raw: string | undefined): RegExp | undefined {
  if (raw === undefined) return undefined;
  try {
    return new RegExp(raw, 'i');
  } catch (error) {
    throw new UsageError(`--grep ${JSON.stringify(raw)}: ${errorMessage(error)}`);
  }
}

export function registerTest(program: Command, ctx: CliContext): Command {
  return program
    .command('test [paths...]')
    .description('run scenario files (whole calls with expectations) and report per step')
    .option('--url <url>', "the webhook to call, over each scenario's url:")
    .addOption(new Option('--reporter <name>', 'output format').choices(['pretty', 'json', 'junit']).default('pretty'))
    .option('--out <file>', 'write the report to this file (the pretty summary still goes to stdout)')
    .option('--bail', 'stop after the first failed scenario')
    .option('--concurrency <n>', 'scenarios played at once', '1')
    .option('--grep <pattern>', 'only scenarios whose name matches (regular expression, case-insensitive)')
    .option('--start-server', 'run the bundled server with embedded stores for this run')
    .option('--timeout <ms>', 'time budget per request', '5000')
    .option('--max-steps <n>', 'requests per call before the loop guard stops it', '20')
    .addHelpText('after', HELP)
    .action(async (paths: string[], flags: TestFlags) => {
      const concurrency = wholeFlag('--concurrency', flags.concurrency, 64);
      const limits = {
        timeoutMs: wholeFlag('--timeout', flags.timeout, 600_000),
        maxSteps: wholeFlag('--max-steps', flags.maxSteps, 1000),
      };
      if (flags.url !== undefined && !/^https?:\/\//i.test(flags.url))
        throw new UsageError(`--url must be an absolute http(s) URL, got ${JSON.stringify(flags.url)}`);
      if (flags.url !== undefined && flags.startServer)
        throw new UsageError('--url and --start-server exclude each other');
      const grep = pattern(flags.grep);
      // The scenario parser (yaml) loads only when there are files to read.
      const { loadScenarios } = await import('./files.ts');
      const scenarios = (await loadScenarios(ctx.io.cwd, paths)).filter((s) => grep === undefined || grep.test(s.name));
      if (scenarios.length === 0)
        throw new UsageError(`no scenario${grep ? ` matches --grep ${flags.grep}` : ' in those files'}`);
      const { results, totals } = await runAll(ctx, scenarios, { ...flags, ...limits, concurrency });
      await report(ctx, flags, results, totals);
      finish(ctx, results);
    });
}

async function report(ctx: CliContext, flags: TestFlags, results: ScenarioResult[], totals: Totals) {
  const { jsonReport, junitReport } = await import('../../../scenarios/report.ts');
  const body =
    flags.reporter === 'junit'
      ? junitReport(results, totals)
      : flags.reporter === 'json'
        ? `${JSON.stringify(jsonReport(results, totals), null, 2)}\n`
        : undefined;
  if (body === undefined) return;
  if (flags.out === undefined) {
    ctx.io.stdout.write(body);
    return;
  }
  const path = isAbsolute(flags.out) ? flags.out : join(ctx.io.cwd, flags.out);
  try {
    await writeFile(path, body);
  } catch (error) {
    throw new UsageError(`cannot write --out ${flags.out}: ${errorMessage(error)}`, { cause: error });
  }
}

function finish(ctx: CliContext, results: readonly ScenarioResult[]): void {
  const unreachable = results.find((r) => r.unreachable !== undefined);
  if (unreachable) {
    throw new UnreachableError('server', unreachable.unreachable ?? 'unreachable', {
      hint: 'start the server (exo-passthru serve), pass --url, or use --start-server',
    });
  }
  if (results.some((r) => !r.ok)) ctx.setExitCode(EXIT.checkFailed);
}
