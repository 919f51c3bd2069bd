/**
 * `exo-passthru simulate campaign`: play whole calls for every customer of a CSV, many at once, against `serve`
 * or any webhook, and report the funnel, latency against Exotel's budget and throughput. Flags, the CSV file,
 * the progress bar and exit codes live here; planning, running and counting are src/simulate/campaign-*.ts.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Command, Option } from 'commander';
import type { Config } from '../../../config.ts';
import { CheckFailedError, errorMessage, EXIT, UnreachableError, UsageError } from '../../../errors.ts';
import { normalizePhoneIN } from '../../../exotel/phone.ts';
import type { CampaignCustomers } from '../../../simulate/campaign-customers.ts';
import { createDigitPlan, parseDigitMix, parseDurationText, type DigitShare, type Parsed } from '../../../simulate/campaign-plan.ts';
import type { CampaignReport } from '../../../simulate/campaign-report.ts';
import type { CampaignResult } from '../../../simulate/campaign-run.ts';
import { DIGIT_FLAVOURS, type DigitFlavour } from '../../../simulate/digits.ts';
import type { CliContext } from '../../context.ts';
import { describeError } from '../../errors.ts';
import { createCampaignProgress, renderCampaign } from './campaign-view.ts';
import { INPUT_NAMES, wholeFlag } from './flags.ts';

type CampaignFlags = {
  csv?: string;
  concurrency: string;
  rate?: string;
  dtmf: string;
  seed: string;
  calls?: string;
  duration?: string;
  timeout: string;
  maxSteps: string;
  digitParam: DigitFlavour;
  exophone?: string;
  key?: string;
  strict?: boolean;
};

const DEFAULT_MIX = '1:40,2:30,none:30';
const DEFAULT_SEED = 'exo-passthru';
const MAX_SKIPPED_SHOWN = 10;
/** Without --calls the call count is unknown; the digit mix is exact within each block of this many calls. */
const DURATION_BLOCK = 100;

const HELP = `
Each call is a whole call as \`simulate\` plays it (first Passthru request → Gather → keys → next response … to
Dial, Hangup or an error), for the CSV's customers in order, starting again at the first row when --calls is
larger than the file. Rows \`url\` would reject (bad phone, amount, date) are skipped with a warning.

--dtmf: keys pressed on the first Gather and the percentage of calls that press them ("none" = no input; later
Gathers hear nothing); the percentages add up to 100 (default ${DEFAULT_MIX}). The mix is exact (200 calls at
1:50 press 1 on exactly 100 calls) and --seed fixes which calls press what, so reruns are comparable.

Report: funnel (greeted, pressed 1, pressed other, no input, dial, hangup, errors, timeouts), p50/p95/p99/max
latency of the first Passthru request, Gather actions and other requests against Exotel's budget (the threshold
of simulate's slow-answer warning: the caller hears silence meanwhile), throughput and wall time. --json prints
the report as one JSON object on stdout; the progress bar (terminal only) is on stderr.

Exit: 0 every call ended in Dial or Hangup · 1 a call errored or timed out (or, with --strict, a slow answer or a
validator finding) · 2 usage error · 3 the server refused the first calls (the campaign stops early).

Examples:
  $ exo-passthru simulate campaign --csv customers.csv                      # serve on http://127.0.0.1:8000
  $ exo-passthru simulate campaign --csv customers.csv --calls 2000 --concurrency 100
  $ exo-passthru simulate campaign https://bot.example.com/passthru-handler --csv customers.csv --rate 5 --duration 2m
  $ exo-passthru simulate campaign --csv customers.csv --dtmf "1:50,2:25,none:25" --seed run-7
  $ exo-passthru --json simulate campaign --csv customers.csv --calls 500 | jq .funnel`;

/**
 * `simulate campaign`, added to `simulate` from its definition. Settings come from `program` (output streams,
 * exitOverride) as `.command()` would copy them, since `.addCommand()` copies nothing.
 *
 * Commander lets `simulate` parse its own options wherever they stand, also after `campaign`: `--csv`, `--timeout`,
 * `--max-steps`, `--digit-param`, `--exophone`, `--key` and `--strict` mean the same for both, so whichever command
 * parsed them, optsWithGlobals() has them; they are declared here too for `simulate campaign --help`.
 */
export function campaignCommand(program: Command, ctx: CliContext): Command {
  return new Command('campaign')
    .copyInheritedSettings(program)
    .argument('[url]', 'the passthru URL (default: serve on BASE_URL or http://127.0.0.1:PORT)')
    .description('play whole calls for every customer of a CSV, many at once: funnel, latency, throughput')
    .option('--csv <file>', 'the customers to call (required)')
    .option('--concurrency <n>', 'calls in flight at most', '10')
    .option('--rate <calls/s>', 'new calls per second at most (default: as fast as --concurrency allows)')
    .option('--dtmf <mix>', 'keys:percent per first Gather, "none" = no input', DEFAULT_MIX)
    .option('--seed <text>', 'which calls press which keys (same seed, same assignment)', DEFAULT_SEED)
    .option('--calls <n>', 'calls to play (default: one per callable CSV row)')
    .option('--duration <time>', 'start calls for this long instead: 60s, 2m')
    .option('--timeout <ms>', 'time budget per request; a slower answer ends that call as a timeout', '5000')
    .option('--max-steps <n>', 'requests per call before the loop guard stops it', '20')
    .addOption(new Option('--digit-param <name>', 'how digits reach the Gather action').choices(DIGIT_FLAVOURS).default('DigitsPressed'))
    .option('--exophone <number>', 'your ExoPhone: CallTo/To (env EXOPHONE)')
    .option('--key <key>', 'webhook key sent as ?key= (env WEBHOOK_KEY)')
    .option('--strict', 'a response over the latency budget or a validator finding fails the run (exit 1)')
    .addHelpText('after', HELP)
    .action(async (url: string | undefined, _local: unknown, command: Command) => {
      rejectSingleCallOptions(command);
      await runCampaignCommand(ctx, await ctx.loadConfig(), url, command.optsWithGlobals<CampaignFlags>());
    });
}

/** `simulate --digits 1 campaign …` would otherwise be ignored silently: the campaign has its own way (--dtmf). */
function rejectSingleCallOptions(command: Command): void {
  const parent = command.parent;
  if (parent === null) return;
  const own = new Set(command.options.map((option) => option.long));
  for (const option of parent.options) {
    if (own.has(option.long) || parent.getOptionValueSource(option.attributeName()) !== 'cli') continue;
    throw new UsageError(`${option.long ?? option.flags} is an option of a single simulate call, not of simulate campaign`, {
      hint: 'keys come from --dtmf, customers from the rows of --csv: exo-passthru simulate campaign --help',
    });
  }
}

function rate(raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0 && value <= 10_000)) throw new UsageError(`--rate must be calls per second above 0 and at most 10000, got "${raw}"`);
  return value;
}

/** Library parsers speak about the data; the flag and what the user typed are added here. */
function flagged<T>(flag: string, raw: string, parsed: Parsed<T>, hint?: string): T {
  if (!parsed.ok) throw new UsageError(`${flag} ${JSON.stringify(raw)}: ${parsed.message}`, hint ? { hint } : {});
  return parsed.value;
}

function startUrl(config: Config, raw: string | undefined): string {
  const url = raw ?? `${config.baseUrl ?? `http://127.0.0.1:${config.port || 8000}`}/passthru-handler`;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`the URL must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  return url;
}

type Limit = { calls: number } | { durationMs: number };

type Settings = {
  url: string;
  exophone: string;
  key: string | undefined;
  concurrency: number;
  ratePerSecond: number | undefined;
  mix: DigitShare[];
  limit: Limit | undefined;
  timeoutMs: number;
  maxSteps: number;
};

function settingsFrom(config: Config, rawUrl: string | undefined, flags: CampaignFlags): Settings {
  if (flags.calls !== undefined && flags.duration !== undefined) throw new UsageError('--calls and --duration exclude each other: stop after a number of calls, or after a time');
  const exophone = normalizePhoneIN(flags.exophone ?? config.exophone);
  if (exophone === undefined) throw new UsageError(`${flags.exophone !== undefined ? '--exophone' : 'EXOPHONE'} is not an Indian phone number`);
  const mixHint = 'keys:percent pairs adding up to 100, e.g. --dtmf "1:40,2:30,none:30"';
  let limit: Settings['limit'];
  if (flags.calls !== undefined) limit = { calls: wholeFlag('--calls', flags.calls, 10_000_000) };
  if (flags.duration !== undefined) limit = { durationMs: flagged('--duration', flags.duration, parseDurationText(flags.duration)) };
  return {
    url: startUrl(config, rawUrl),
    exophone,
    key: flags.key ?? config.webhookKey,
    concurrency: wholeFlag('--concurrency', flags.concurrency, 1000),
    ratePerSecond: flags.rate === undefined ? undefined : rate(flags.rate),
    mix: flagged('--dtmf', flags.dtmf, parseDigitMix(flags.dtmf), mixHint),
    limit,
    timeoutMs: wholeFlag('--timeout', flags.timeout, 600_000),
    maxSteps: wholeFlag('--max-steps', flags.maxSteps, 1000),
  };
}

async function loadCustomers(ctx: CliContext, file: string): Promise<CampaignCustomers> {
  let text: string;
  try {
    text = await readFile(isAbsolute(file) ? file : join(ctx.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --csv ${file}: ${errorMessage(error)}`, { cause: error });
  }
  const { readCampaignCustomers } = await import('../../../simulate/campaign-customers.ts');
  let read: CampaignCustomers;
  try {
    read = readCampaignCustomers(text);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const { message, hint } = describeError(error);
    throw new UsageError(`--csv ${file}: ${message}`, { cause: error, ...(hint ? { hint } : {}) });
  }
  const out = ctx.output();
  for (const skip of read.skipped.slice(0, MAX_SKIPPED_SHOWN)) out.warn(`--csv ${file} row ${skip.row} skipped: ${skip.reason}: ${skip.message}`);
  if (read.skipped.length > MAX_SKIPPED_SHOWN) out.warn(`… and ${read.skipped.length - MAX_SKIPPED_SHOWN} more rows skipped`);
  return read;
}

async function runCampaignCommand(ctx: CliContext, config: Config, rawUrl: string | undefined, flags: CampaignFlags): Promise<void> {
  if (flags.csv === undefined) throw new UsageError('--csv <file> is required: the customers to call', { hint: 'exo-passthru simulate campaign --csv customers.csv' });
  const settings = settingsFrom(config, rawUrl, flags);
  const read = await loadCustomers(ctx, flags.csv);
  const limit = settings.limit ?? { calls: read.customers.length };
  const result = await play(ctx, { ...settings, limit }, flags, read);
  // Loaded here, not at the top, like the runner: other commands need none of the simulator.
  const { buildCampaignReport } = await import('../../../simulate/campaign-report.ts');
  const customers = { rows: read.rows, callable: read.customers.length, skipped: read.skipped.length };
  const { url, concurrency, ratePerSecond, timeoutMs, mix } = settings;
  const report = buildCampaignReport({ url, seed: flags.seed, concurrency, ratePerSecond, timeoutMs, limit, customers, mix }, result);
  const out = ctx.output();
  if (ctx.globals().json) out.printJson(report);
  if (result.unreachable !== undefined) {
    // A table of zeros says nothing the error does not; --json still gets the document, as `simulate` does.
    out.info(`${report.funnel.calls} call(s) refused before any answer; no further calls were started`);
    throw new UnreachableError('server', result.unreachable, { hint: 'start it with: exo-passthru serve (or give the URL of your webhook)' });
  }
  if (!ctx.globals().json) out.result(renderCampaign(report, out.color));
  conclude(ctx, report, flags.strict === true);
}

/** The calls themselves, with the progress bar and Ctrl-C (stop starting calls, report the ones played). */
async function play(ctx: CliContext, settings: Settings & { limit: Limit }, flags: CampaignFlags, read: CampaignCustomers): Promise<CampaignResult> {
  // undici and the validator load only when a campaign runs.
  const { runCampaign } = await import('../../../simulate/campaign-run.ts');
  const { limit } = settings;
  const total = 'calls' in limit ? limit.calls : undefined;
  const progress = await createCampaignProgress(ctx, total);
  const abort = new AbortController();
  const unsubscribe = ctx.io.onSignal(() => abort.abort());
  let failed = 0;
  try {
    return await runCampaign({
      url: settings.url,
      exophone: settings.exophone,
      ...(settings.key !== undefined ? { key: settings.key } : {}),
      timeoutMs: settings.timeoutMs,
      maxSteps: settings.maxSteps,
      digitParam: flags.digitParam,
      names: INPUT_NAMES,
      concurrency: settings.concurrency,
      ...(settings.ratePerSecond !== undefined ? { ratePerSecond: settings.ratePerSecond } : {}),
      ...limit,
      customers: read.customers,
      plan: createDigitPlan(settings.mix, flags.seed, total ?? DURATION_BLOCK),
      signal: abort.signal,
      onCall: (call, { done }) => {
        if (call.end === 'error' || call.end === 'timeout') failed += 1;
        progress?.update(done, failed);
      },
    });
  } finally {
    unsubscribe();
    progress?.stop();
  }
}

function conclude(ctx: CliContext, report: CampaignReport, strict: boolean): void {
  const { funnel, latency } = report;
  if (report.stopped === 'interrupted') throw new CheckFailedError(`interrupted: the report covers the ${funnel.calls} call(s) played`);
  if (funnel.errors + funnel.timeouts > 0) {
    ctx.output().warn(`${funnel.errors} call(s) errored and ${funnel.timeouts} timed out; exit 1`);
    ctx.setExitCode(EXIT.checkFailed);
    return;
  }
  const slow = latency.passthru.overBudget + latency.gather.overBudget + latency.other.overBudget;
  if (strict && slow + report.findings > 0) {
    ctx.output().warn(`--strict: ${slow} answer(s) over ${latency.budgetMs} ms and ${report.findings} finding(s); exit 1`);
    ctx.setExitCode(EXIT.checkFailed);
  }
}
