/**
 * `exo-passthru url`: customers → passthru URLs and CustomField, from a CSV (streaming) or from
 * flags for one customer. Files, stdin, the progress bar, the summary and the exit code live here; every
 * decision about a row lives in src/customers/.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import type { Config } from '../../../config.ts';
import { CheckFailedError, EXIT, UsageError } from '../../../errors.ts';
import { DATE_FORMS } from '../../../exotel/customer.ts';
import { HEADER_ALIASES, REQUIRED_COLUMNS } from '../../../customers/columns.ts';
import { REJECT_REASONS } from '../../../customers/normalize-row.ts';
import { DELIMITER_NAMES, detectDelimiter, firstLine } from '../../../customers/delimiter.ts';
import { DEFAULT_BASE_URL, resolveBaseUrl, type UrlAuth } from '../../../customers/passthru-url.ts';
import { runUrlPipeline, type LineWarning, type UrlSummary } from '../../../customers/pipeline.ts';
import { createCustomerProcessor } from '../../../customers/row-processor.ts';
import { formatSummaryText, summaryJson } from '../../../customers/summary.ts';
import { createTempCallIds } from '../../../customers/temp-call-id.ts';
import { createRowFormatter, OUTPUT_FORMATS, outputRecord, type OutputFormat } from '../../../customers/writers.ts';
import type { CliContext } from '../../context.ts';
import { addCustomerOptions, customerInput, customerRejected, hasCustomerFlags } from '../../customer-flags.ts';
import { settingOption } from '../../settings.ts';
import { parseColumnMap, parseDuration } from './flags.ts';
import { peekHead } from './head.ts';
import { checkPaths, createProgress, fileSink, openInput } from './io.ts';

type UrlOptions = {
  csv?: string;
  baseUrl?: string;
  out?: string;
  format?: OutputFormat;
  rejects?: string;
  allowRejects?: boolean;
  sign?: boolean;
  expiresIn?: string;
  seed?: string;
  delimiter?: string;
  map: string[];
  progress?: boolean;
};

const MAX_WARNINGS_SHOWN = 20;
/**
 * Rows after this many accepted ones are finished and formatted on a worker thread (format-lane.ts). The worker's
 * first batch comes back about 0.1 s after it is started (measured), while the reading waits once four batches
 * are out; 20,000 rows are about 0.3 s of work on one thread, so only a file larger than that gains.
 */
const FORMAT_WORKER_AFTER = 20_000;

const HELP = `
Per-customer query-string URLs are for the simulator and local development only: names, phones and amounts in
a URL end up in proxy and access logs. In production give Exotel one static passthru URL and send each
customer's custom_field as the CustomField of the call (serve decodes it).

Input: a UTF-8 CSV (with or without BOM; CRLF or LF; quoted commas and newlines). Headers match
case-insensitively (spaces, dashes and dots count as _):
${Object.entries(HEADER_ALIASES)
  .map(([field, aliases]) => `  ${field.padEnd(14)}${aliases.join(', ')}`)
  .join('\n')}
Required columns: ${REQUIRED_COLUMNS.join(', ')} (else exit 2); --map field=Header names any other header.
Every other column is carried into the output untouched.

Per row: phone → +91XXXXXXXXXX (10-digit mobile from 6-9, 0/91/+91 prefixes, spaces, dashes; Excel's leading '
and a trailing .0 are dropped); amount → plain decimal (₹, Rs, commas and /- stripped; must be > 0);
due_date → YYYY-MM-DD, from ${DATE_FORMS}: day first, India's order (11/08/2025 is 11 August; 08/31/2025 is
rejected); language_code → xx-IN from a code (hi, hi-IN) or an English name (Hindi, tamil), else from state
(aliases such as Orissa, TN, NCT of Delhi), else en-IN with a warning; the later row with the same phone or
customer_id is rejected; temp_call_id generated (--seed). A rejected row lists every problem it has: the
rejects file's reason is the first, its message names them all, separated by "; ".

Output (--format): csv (default) | ndjson | json | urls. Columns: the customer fields, your extra columns,
passthru_url, custom_field. In csv, a cell a spreadsheet would run as a formula (= + - @) gets a leading ';
phones are read back without it, so a fixed --rejects file can be fed to url --csv as it is.
Auth: with WEBHOOK_KEY set, URLs end in key=…; with --sign they carry exp and sig (HMAC-SHA256 over the
customer fields) instead, and serve answers 401 to an edited or expired URL.
--json: with --out, the summary is printed as JSON on stdout; without --out, stdout holds the rows as JSON
lines (or --format json) and the summary stays on stderr. Under --json every error is one JSON line on stderr:
{"error":{"code","message","hint"}}.

A record over 1 MB (a runaway cell) is one csv_malformed reject at the line it starts on; reading goes on
after it, unless it runs to the end of the input (an unclosed quote).
--out and --rejects go to a temporary file beside the target, renamed over it once complete: a failed write
(disk full) exits 1, and a run that fails or is interrupted leaves the target as it was.

Reject reasons: ${REJECT_REASONS.join(', ')}.
Exit: 0 when no row was rejected; 1 when some were (0 with --allow-rejects), the CSV broke off (unclosed
quote) or a write failed; 2 on usage errors (no such file, unknown --map column, missing required column).
Memory: streaming, constant in the file size except duplicate detection (25-35 MB per million unique customers).
The exo-passthru bin runs url with a small young generation (--max-semi-space-size=4, unless NODE_OPTIONS
sets one), which keeps the peak resident memory of a 1,000,000-row file under 150 MB (npm run bench:url).

Examples:
  $ exo-passthru url --csv customers.csv --base-url https://bot.example.com --out urls.csv --rejects rejects.csv
  $ cat customers.csv | exo-passthru url --csv - --format ndjson --map phone="Contact No"
  $ WEBHOOK_KEY=s3cret exo-passthru url --csv customers.csv --sign --expires-in 2d --format urls
  $ exo-passthru url --customer-id C1 --name "रिद्धि मित्तल" --phone 98765-43210 --amount "₹15,000" --state UP`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerUrl(program: Command, ctx: CliContext): Command {
  const command = program
    .command('url')
    .description('generate passthru URLs (simulator/dev only) and CustomField values from a customer CSV or flags')
    .option('--csv <file>', "customers CSV, '-' for stdin")
    .addOption(
      settingOption('baseUrl', { help: 'public base URL of your bot, https for Exotel', defaultDoc: DEFAULT_BASE_URL }),
    )
    .option('-o, --out <file>', 'write rows to this file instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS))
    .option('--rejects <file>', 'write rejected rows (line, reason, message, original cells) to this CSV')
    .option('--allow-rejects', 'exit 0 even when rows were rejected')
    .option('--sign', 'add exp + HMAC-SHA256 sig (secret: WEBHOOK_KEY) instead of key=')
    .option('--expires-in <duration>', 'lifetime of signed URLs: 30m, 12h, 7d (default 7d)')
    .option('--seed <text>', 'reproducible temp_call_id values')
    .option('--delimiter <char>', "CSV field delimiter: ',' ';' '|' or 'tab' (default: detected from the header line)")
    .option('--map <field=Header>', 'read a customer field from a differently named column (repeatable)', collect, [])
    .option(
      '--progress',
      'show a progress bar on stderr (default: when stderr is a terminal and the file is over 5 MB)',
    )
    .option('--no-progress', 'never show the progress bar');
  return addCustomerOptions(command, { prefix: 'one-off: ' })
    .addHelpText('after', HELP)
    .action(async (options: UrlOptions) => {
      const config = await ctx.loadConfig();
      const hasCustomer = hasCustomerFlags(options);
      if (options.csv !== undefined && hasCustomer)
        throw new UsageError('--csv and the one-off customer flags (--customer-id, --name, …) exclude each other');
      if (options.csv === undefined && !hasCustomer) {
        throw new UsageError(
          'nothing to do: give --csv <file> or one customer with --customer-id, --name and --phone',
          { hint: 'exo-passthru url --help' },
        );
      }
      const settings = resolveSettings(ctx, options, config);
      if (options.csv !== undefined) await runCsv(ctx, options, options.csv, settings);
      else await runOneOff(ctx, options, settings);
    });
}

/** `local`: the base URL is on this machine (resolveBaseUrl), so the URLs are for the simulator only. */
type Settings = { base: string; auth: UrlAuth; nextTempCallId: () => string; local: boolean };

function resolveSettings(ctx: CliContext, options: UrlOptions, config: Config): Settings {
  const source =
    options.baseUrl !== undefined ? '--base-url' : config.baseUrl !== undefined ? 'BASE_URL' : 'the default base URL';
  const { base, warning, local } = resolveBaseUrl(options.baseUrl ?? config.baseUrl ?? DEFAULT_BASE_URL, source);
  const auth = resolveAuth(options, config);
  if (warning) ctx.output().warn(warning);
  return { base, auth, local, nextTempCallId: createTempCallIds(options.seed ?? randomBytes(16).toString('hex')) };
}

function resolveAuth(options: UrlOptions, config: Config): UrlAuth {
  if (!options.sign) {
    if (options.expiresIn !== undefined) throw new UsageError('--expires-in applies to signed URLs: add --sign');
    return config.webhookKey ? { kind: 'key', key: config.webhookKey } : { kind: 'none' };
  }
  if (!config.webhookKey) {
    throw new UsageError('--sign needs WEBHOOK_KEY: it is the secret serve verifies signatures with', {
      hint: 'set WEBHOOK_KEY in the environment or in .env',
    });
  }
  const lifetime = parseDuration(options.expiresIn ?? '7d');
  return { kind: 'signed', secret: config.webhookKey, expiresAt: new Date(Date.now() + lifetime) };
}

function parseDelimiter(raw: string): string {
  const value = raw === 'tab' || raw === '\\t' ? '\t' : raw;
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new UsageError(
      `--delimiter ${JSON.stringify(raw)}: expected one character other than a quote or newline (or 'tab')`,
    );
  }
  return value;
}

function createWarningPrinter(ctx: CliContext) {
  let shown = 0;
  let hidden = 0;
  return {
    print: (warning: LineWarning) => {
      if (shown >= MAX_WARNINGS_SHOWN) {
        hidden += 1;
        return;
      }
      shown += 1;
      ctx.output().warn(`line ${warning.line}: ${warning.code}: ${warning.message}`);
    },
    finish: () => {
      if (hidden > 0) ctx.output().warn(`… and ${hidden} more warnings (counts in the summary)`);
    },
  };
}

/**
 * The PII advice is for URLs that leave this machine: with the default (or any loopback) base URL the rows can
 * only feed the simulator, and repeating the advice on every dev run only teaches users to skip stderr.
 */
const DEV_ONLY_NOTE =
  'passthru_url values are for the simulator/dev only (PII in query strings); in production send custom_field as CustomField';

async function runCsv(ctx: CliContext, options: UrlOptions, csv: string, settings: Settings): Promise<void> {
  const out = ctx.output();
  const map = parseColumnMap(options.map);
  const given = options.delimiter !== undefined ? parseDelimiter(options.delimiter) : undefined;
  checkPaths(ctx, { csv, out: options.out, rejects: options.rejects });
  const opened = await openInput(ctx, csv);
  const { delimiter, input } =
    given !== undefined ? { delimiter: given, input: opened } : await detectInputDelimiter(ctx, opened);
  const progress = await createProgress(ctx, input.size, options.progress);
  const warnings = createWarningPrinter(ctx);
  let rows = 0;
  // Rows on stdout are gone already; a file is replaced only by a run that completes.
  const kept =
    options.out === undefined ? 'the rows accepted so far were written' : `${options.out} was left as it was`;
  // The source too: a stream replaying the detected head waits on the source, and only its end or error frees it.
  const unsubscribe = ctx.io.onSignal((signal) => {
    const interrupted = new CheckFailedError(`interrupted by ${signal}; ${kept}`);
    input.stream.destroy(interrupted);
    if (opened.stream !== input.stream) opened.stream.destroy(interrupted);
  });
  let summary: UrlSummary;
  try {
    summary = await runUrlPipeline({
      input: input.stream,
      openOutput:
        options.out !== undefined
          ? fileSink(ctx, options.out, '--out')
          : async () => ({ stream: ctx.io.stdout, close: async () => {} }),
      ...(options.rejects !== undefined ? { openRejects: fileSink(ctx, options.rejects, '--rejects') } : {}),
      format: csvFormat(ctx, options),
      delimiter,
      map,
      base: settings.base,
      auth: settings.auth,
      nextTempCallId: settings.nextTempCallId,
      onHeader: (plan) => {
        for (const warning of plan.warnings) out.warn(warning);
      },
      onWarning: warnings.print,
      onProgress: (p) => {
        rows = p.rows;
        progress?.update(p.bytes, p.rows);
      },
      progressEvery: progress ? 1000 : 5000,
      formatWorkerAfter: FORMAT_WORKER_AFTER,
      // V8's gc, when the bin started url with --expose-gc (src/cli/startup-tuning.ts); else nothing.
      collectGarbage: () => (globalThis as { gc?: () => void }).gc?.(),
    });
    rows = summary.rowsRead;
  } catch (error) {
    // `url --csv big.csv | head`: the reader went away; that is how a pipe ends, not an error to report.
    if (
      options.out === undefined &&
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === 'EPIPE'
    )
      return;
    throw error;
  } finally {
    unsubscribe();
    progress?.stop(input.size ?? 0, rows);
  }
  warnings.finish();
  report(ctx, options, summary, settings.local);
}

/** --json means JSON on stdout: rows as JSON lines unless they go to --out (then stdout gets the JSON summary). */
function csvFormat(ctx: CliContext, options: UrlOptions): OutputFormat {
  if (!ctx.globals().json || options.out !== undefined) return options.format ?? 'csv';
  if (options.format === 'csv' || options.format === 'urls') {
    throw new UsageError(`--json prints JSON on stdout, not --format ${options.format}`, {
      hint: 'drop --format (JSON lines), use --format json, or write the file with --out',
    });
  }
  return options.format ?? 'ndjson';
}

/** No --delimiter: the header line decides between comma, semicolon, tab and pipe, and a note says which. */
async function detectInputDelimiter(ctx: CliContext, opened: { stream: Readable; size: number | undefined }) {
  const { head, stream } = await peekHead(opened.stream);
  const delimiter = detectDelimiter(firstLine(head));
  if (delimiter !== ',')
    ctx
      .output()
      .info(
        `note: the header line is ${DELIMITER_NAMES[delimiter]}-separated: reading it with --delimiter '${delimiter === '\t' ? 'tab' : delimiter}'`,
      );
  return { delimiter, input: { stream, size: opened.size } };
}

/** The closing note (stderr, or JSON on stdout for --json --out) and the exit code. */
function report(ctx: CliContext, options: UrlOptions, summary: UrlSummary, local: boolean): void {
  const out = ctx.output();
  if (summary.accepted > 0 && !local) out.info(DEV_ONLY_NOTE);
  if (ctx.globals().json && options.out !== undefined)
    out.printJson(summaryJson(summary, { out: options.out, rejects: options.rejects }));
  else out.info(formatSummaryText(summary));
  if (summary.truncated)
    throw new CheckFailedError(summary.truncated, { hint: 'look for an unbalanced " near that line' });
  if (summary.rejected > 0 && !options.allowRejects) {
    out.info(
      `${summary.rejected} row(s) rejected${options.rejects ? `: see ${options.rejects}` : ' (write them out with --rejects <file>)'}; exit 1 (--allow-rejects to exit 0)`,
    );
    ctx.setExitCode(EXIT.checkFailed);
  }
}

async function runOneOff(ctx: CliContext, options: UrlOptions, settings: Settings): Promise<void> {
  const csvOnly = [
    options.rejects && '--rejects',
    options.map.length > 0 && '--map',
    options.delimiter && '--delimiter',
  ].filter(Boolean);
  if (csvOnly.length > 0) throw new UsageError(`${csvOnly.join(', ')} only apply with --csv`);
  const out = ctx.output();
  const processor = createCustomerProcessor(settings);
  const result = processor.process(customerInput(options));
  if (!result.ok) throw customerRejected(result.reason, result.message);
  for (const warning of result.warnings) out.warn(`${warning.code}: ${warning.message}`);
  if (options.format !== undefined) csvFormat(ctx, options);
  let text: string;
  if (options.format !== undefined) {
    const formatter = createRowFormatter(options.format, []);
    text = `${formatter.start()}${formatter.row(result, [], 0)}${formatter.end(1)}`;
  } else if (ctx.globals().json) {
    text = `${JSON.stringify(outputRecord(result, [], []), null, 2)}\n`;
  } else {
    text = `passthru_url  ${result.passthruUrl}\ncustom_field  ${result.customField}\n`;
    if (!settings.local) out.info(DEV_ONLY_NOTE);
  }
  if (options.out !== undefined) {
    const sink = await fileSink(ctx, options.out, '--out')();
    sink.stream.write(text);
    await sink.close();
  } else ctx.io.stdout.write(text);
}
