/**
 * `exo-passthru simulate [url]`: play a whole call as Exotel would, against `serve` or any webhook,
 * and print what the caller hears, presses and where the call goes. Flags, files, the keypad, colours and the
 * exit code live here; the call itself is src/simulate/ (HTTP only, never the server's code).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Option, type Command } from 'commander';
import type { Config } from '../../../config.ts';
import { errorMessage, EXIT, UnreachableError, UsageError } from '../../../errors.ts';
import { CALL_DIRECTIONS, type CallDirection } from '../../../exotel/call.ts';
import type { CustomerInput } from '../../../exotel/customer.ts';
import { normalizePhoneIN } from '../../../exotel/phone.ts';
import { DIGIT_FLAVOURS, type DigitFlavour, type KeypadAsk } from '../../../simulate/digits.ts';
import { EXPECT_FORMS } from '../../../simulate/expect.ts';
import type { Line, Tone } from '../../../simulate/report.ts';
import { urlCustomer } from '../../../simulate/exotel-request.ts';
import type { BuildCallOptions } from '../../../simulate/run.ts';
import type { CallRecord, HttpMethod } from '../../../simulate/types.ts';
import type { CliContext } from '../../context.ts';
import { addCustomerOptions, customerInput, hasCustomerFlags, resolveCustomer } from '../../customer-flags.ts';
import type { Output } from '../../output.ts';
import { settingOption } from '../../settings.ts';
import { campaignCommand } from './campaign.ts';
import { INPUT_NAMES, parseDigitGroups, parseExpectation, wholeFlag } from './flags.ts';

/** The options read by name here; the customer flags are read through customerInput (../customer-flags.ts). */
type SimulateOptions = {
  customerId?: string;
  phone?: string;
  exophone?: string;
  csv?: string;
  row?: string;
  digits?: string;
  input: boolean;
  digitParam: DigitFlavour;
  method: HttpMethod;
  param: string[];
  legacyParams?: boolean;
  direction?: CallDirection;
  documentedCreated?: boolean;
  e164?: boolean;
  timeout: string;
  maxSteps: string;
  strict?: boolean;
  expect: string[];
  key?: string;
  record?: string;
  flavor: 'exoml' | 'applet';
  flow?: string;
  statusCallback?: string;
  statusJson?: boolean;
};

const HELP = `
The call: the first request is Exotel's Passthru hit, shaped like real captures (GET, call details as query
parameters: a CallSid of 31 hex digits and one [0-9a-z], CallFrom/CallTo/From/To as 0XXXXXXXXXX, no CallStatus,
Direction=outbound-dial (incoming with --direction incoming), Created as "Mon, 11 Aug 2025 14:05:09", other times
IST "2025-08-11 14:05:09", flow_id and tenant_id, CustomField only for --direction outbound-api (the default),
plus the customer fields), appended to the URL's own query string. Each response is validated as
ExoML and played in order: Say, Play, Gather, Dial, Record, Redirect, Hangup. A Gather takes the next group of
--digits (comma-separated, one per Gather; the finish key ends a group and is not sent) and sends it to its
action; with no input the Gather falls through to the next verb. Redirect and Dial/Record actions are followed.
Stops at Hangup, the end of a document, a Dial without action, an error, or --max-steps (loop guard).
HTTP redirects are never followed: a 3xx is reported (for a Passthru applet it is the branch signal).

Digits on the wire (--digit-param):
  DigitsPressed  ExoML <Gather> action: the Gather's method (default POST), with CallSid, CallFrom, CallTo, CallStatus
  digits         Passthru after a Gather applet: GET with every call parameter and digits="1" (quoted)
  Digits         TwiML style: like DigitsPressed, named Digits

On a terminal, without --digits or --no-input, a keypad asks for the keys of each Gather (numDigits and the
finish key end the input, the Gather's timeout means no input), and --csv without --row or --customer-id offers
a searchable list of the file's customers. Without a terminal, give --digits or --no-input (checked before the
first request), and --row or --customer-id with --csv.

App Bazaar flows (--flavor applet, implied by --flow): the URL is the base of the applet URLs in the flow file
(default http://127.0.0.1:8000, serve's /exotel/… endpoints; without --flow the bundled collections flow,
fixtures/flows/collections.yaml). Exotel's way: the applets follow the flow's transitions; a Passthru's status
picks its branch (200 → on_ok, anything else, a timeout or a refused connection → on_else) and its body is
ignored; Gather and Connect URLs answer JSON and Greeting text/plain, validated as validate --kind does; the keys
of a Gather reach later applets as digits="1"; a Passthru after Connect gets the dial result (CallType=completed,
DialCallStatus, Legs[0][…], RecordingUrl); the terminal StatusCallback is POSTed at the end (status_callback in
the flow, or --status-callback), retried up to 2 times on a non-2xx. The flow format: README "App Bazaar flows".

The ExoML flavour notes (SIM002, info) when a URL whose last path segment is "passthru" (/exotel/passthru) answers
ExoML: by its name that is a Passthru applet's URL, and Exotel ignores Passthru bodies; the applet flavour warns.

--expect (repeatable): ${EXPECT_FORMS.join(' | ')}

Exit (the same story as validate; README "Exit codes"): 0 the call completed and every --expect held · 1 an
error-severity finding, an --expect failed, the call ended in an error (non-2xx, not ExoML, loop guard), or
--strict and a warning · 2 usage error · 3 the server does not answer: connection refused, unknown host, or no
answer within --timeout.

A URL that already carries customer fields or a signature (from exo-passthru url) is sent as it is: no
placeholder customer is added, and --csv or the customer flags are refused. With --csv the call carries exactly
the row, as url writes it; without a customer in the URL, the placeholder fills only what the flags leave out.

Examples:
  $ exo-passthru simulate --digits 1                       # against serve on http://127.0.0.1:8000
  $ exo-passthru simulate https://bot.example.com/passthru-handler --digits 2,1 --expect hangup
  $ exo-passthru simulate --no-input --expect no-input --expect say:"did not hear"
  $ exo-passthru simulate --csv customers.csv --row 3 --digits 1 --expect dial:+919812345678
  $ exo-passthru simulate --digit-param digits --method POST --param CallStatus=ringing --legacy-params
  $ exo-passthru --json simulate --digits 1 --strict | jq .outcome
  $ exo-passthru simulate --flavor applet --digits 1 --expect dial   # the bundled flow against serve
  $ exo-passthru simulate https://bot.example.com --flow flow.yaml --digits 2 --status-callback /exotel/status-callback`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSimulate(program: Command, ctx: CliContext): Command {
  const command = program
    .command('simulate [url]')
    .description('play a whole call as Exotel would: what the caller hears, presses, and where the call goes');
  return addCustomerOptions(command, {
    help: {
      customer_id: 'customer id (with --csv: the row to call)',
      phone: "the customer's mobile: CallFrom/From (default +919876543210)",
    },
  })
    .addOption(settingOption('exophone', { help: 'your ExoPhone: CallTo/To' }))
    .option('--csv <file>', 'take the customer from this CSV (with --row or --customer-id)')
    .option('--row <n>', 'with --csv: the customer row, 1 = first after the header')
    .option('--digits <keys>', 'keys per Gather, comma-separated: 1 | 2,1 | "12#" (an empty group = no input)')
    .option('--no-input', 'press nothing: every Gather times out')
    .addOption(
      new Option('--digit-param <name>', 'how digits reach the Gather action')
        .choices(DIGIT_FLAVOURS)
        .default('DigitsPressed'),
    )
    .addOption(new Option('--method <method>', 'method of the first request').choices(['GET', 'POST']).default('GET'))
    .option('--param <k=v>', 'add or override a parameter of the first request (repeatable)', collect, [])
    .option(
      '--legacy-params',
      'the 2016 shape: ForwardedFrom, CallStatus=ringing, EndTime 0000-00-00 00:00:00, CallTo without 0',
    )
    .addOption(
      new Option(
        '--direction <who>',
        'who started the call: incoming, outbound-dial (a flow), outbound-api (the Calls API, with CustomField)',
      )
        .choices(CALL_DIRECTIONS)
        .default('outbound-api'),
    )
    .option(
      '--documented-created',
      'Created as the Connect doc writes it (2025-08-11 14:05:09), not as real requests carry it (Mon, 11 Aug 2025 14:05:09)',
    )
    .option('--e164', 'numbers as +91XXXXXXXXXX instead of 0XXXXXXXXXX')
    .option('--timeout <ms>', 'time budget per step (answer and validation); a slower one ends the call', '5000')
    .option('--max-steps <n>', 'requests per call before the loop guard stops it', '20')
    .option('--strict', 'any finding (validator or latency) fails the run (exit 1)')
    .option('--record <file>', 'save the call as a scenario file (exo-passthru test replays it)')
    .option('--expect <check>', 'an expectation on the call (repeatable; see below)', collect, [])
    .addOption(settingOption('webhookKey', { help: 'webhook key sent as ?key=' }))
    .addOption(
      new Option('--flavor <flavor>', 'exoml: play ExoML webhooks · applet: walk an App Bazaar flow (see below)')
        .choices(['exoml', 'applet'])
        .default('exoml'),
    )
    .option('--flow <file>', 'the App Bazaar flow file (YAML) to walk; implies --flavor applet')
    .option('--status-callback <url>', 'applet flavour: where the terminal StatusCallback goes (absolute or a path)')
    .option('--status-json', 'applet flavour: send the StatusCallback as JSON instead of multipart/form-data')
    .addHelpText('after', HELP)
    .addCommand(campaignCommand(program, ctx))
    .action(async (url: string | undefined, options: SimulateOptions) => {
      const config = await ctx.loadConfig();
      await runSimulate(ctx, config, url, options);
    });
}

function startUrl(config: Config, raw: string | undefined, applet: boolean): string {
  const base = config.baseUrl ?? `http://127.0.0.1:${config.port || 8000}`;
  const url = raw ?? (applet ? base : `${base}/passthru-handler`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`the URL must be an absolute http(s) URL, got ${JSON.stringify(url)}`, {
      hint: 'e.g. exo-passthru simulate http://127.0.0.1:8000/passthru-handler',
    });
  }
  return url;
}

function parseParams(values: readonly string[]): Array<[string, string]> {
  return values.map((value) => {
    const eq = value.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--param ${JSON.stringify(value)}: expected name=value`, {
        hint: '--param CallStatus=ringing (an empty value: --param DialWhomNumber=)',
      });
    return [value.slice(0, eq), value.slice(eq + 1)];
  });
}

function phoneFlag(flag: string, raw: string): string {
  const e164 = normalizePhoneIN(raw);
  if (e164 === undefined)
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not an Indian phone number`, {
      hint: '+91XXXXXXXXXX, 0XXXXXXXXXX or 10 digits',
    });
  return e164;
}

async function readCsv(ctx: CliContext, file: string): Promise<string> {
  try {
    return await readFile(isAbsolute(file) ? file : join(ctx.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --csv ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

function paint(out: Output, line: Line): string {
  const styles: Record<Tone, (text: string) => string> = {
    plain: (t) => t,
    step: (t) => out.color.bold(t),
    dim: (t) => out.color.dim(t),
    ok: (t) => out.color.green(t),
    warn: (t) => out.color.yellow(t),
    error: (t) => out.color.red(t),
  };
  return styles[line.tone](line.text);
}

/** A keypad on the terminal (the injected prompt), or none: then a Gather without --digits is a usage error. */
function keypadFor(ctx: CliContext, json: boolean): KeypadAsk | undefined {
  const prompts = ctx.io.prompts;
  if (!prompts || !ctx.io.stdin.isTTY) return undefined;
  return (question) =>
    prompts.keypad({
      message: json && question.prompt !== '' ? `"${question.prompt}" — keys` : 'keys',
      ...(question.numDigits !== undefined ? { numDigits: question.numDigits } : {}),
      finishOnKey: question.finishOnKey,
      timeoutSeconds: question.timeoutSeconds,
    });
}

async function callOptions(
  ctx: CliContext,
  config: Config,
  url: string,
  options: SimulateOptions,
): Promise<BuildCallOptions> {
  const exophone = phoneFlag(
    options.exophone !== undefined ? '--exophone' : 'EXOPHONE',
    options.exophone ?? config.exophone,
  );
  if (options.phone !== undefined) phoneFlag('--phone', options.phone);
  const key = options.key ?? config.webhookKey;
  const overrides = parseParams(options.param);
  const own = urlCustomer(url);
  const carries = own.signed || Object.keys(own.fields).length > 0;
  const customer = carries ? await urlCallerOnly(own.fields, options) : await customerFor(ctx, options);
  const built: BuildCallOptions = { url, method: options.method, exophone, overrides, customer };
  if (carries) built.urlCarriesCustomer = true;
  if (options.e164) built.e164 = true;
  if (options.legacyParams) built.legacy = true;
  if (options.direction) built.direction = options.direction;
  if (options.documentedCreated) built.documentedCreated = true;
  if (key !== undefined) built.key = key;
  return built;
}

/**
 * The URL names its customer (or is signed): that customer is the call's, so nothing is appended; the placeholder
 * only gives the caller's number when the URL has none. Customer flags or --csv on top would be silently lost.
 */
async function urlCallerOnly(fields: CustomerInput, options: SimulateOptions): Promise<BuildCallOptions['customer']> {
  if (options.csv !== undefined || hasCustomerFlags(options)) {
    throw new UsageError(
      'the URL already carries its customer (or a signature): the customer flags and --csv would be lost',
      {
        hint: 'drop them, or give the URL without its query string',
      },
    );
  }
  const { defaultCustomer } = await import('./customer.ts');
  const placeholder = resolveCustomer({ defaults: defaultCustomer(new Date()), flags: {} }).customer;
  const phone = fields.phone !== undefined ? normalizePhoneIN(fields.phone) : undefined;
  return { customer: { ...placeholder, ...(phone !== undefined ? { phone } : {}) }, warnings: [] };
}

/**
 * With --csv: exactly the row (then the flags), as `url` reads it, so the call carries what `url` writes for that
 * row; without: the placeholder customer < the customer flags. A bad value is a usage error naming its flag.
 */
async function customerFor(ctx: CliContext, options: SimulateOptions): Promise<BuildCallOptions['customer']> {
  const { csvCustomerChoices, defaultCustomer, pickCsvCustomer } = await import('./customer.ts');
  let csv: CustomerInput | undefined;
  if (options.csv !== undefined) {
    const text = await readCsv(ctx, options.csv);
    let row = options.row !== undefined ? wholeFlag('--row', options.row, 10_000_000) : undefined;
    const search = ctx.io.stdin.isTTY ? ctx.io.prompts?.search : undefined;
    if (row === undefined && options.customerId === undefined && search) {
      const choices = csvCustomerChoices(text, options.csv);
      if (choices.length > 0)
        row = Number(await search({ message: `customer to call (type to search ${choices.length} rows)`, choices }));
    }
    csv = pickCsvCustomer(text, { row, customerId: options.customerId }, options.csv);
  }
  return resolveCustomer({
    defaults: csv ? {} : defaultCustomer(new Date()),
    ...(csv ? { csv } : {}),
    flags: customerInput(options),
  });
}

async function runSimulate(
  ctx: CliContext,
  config: Config,
  rawUrl: string | undefined,
  options: SimulateOptions,
): Promise<void> {
  const applet = options.flavor === 'applet' || options.flow !== undefined;
  const url = startUrl(config, rawUrl, applet);
  const out = ctx.output();
  const json = ctx.globals().json;
  if (options.digits !== undefined && !options.input)
    throw new UsageError('--digits and --no-input exclude each other');
  if (options.row !== undefined && options.csv === undefined)
    throw new UsageError('--row picks a row of --csv: add --csv <file>');
  const expectations = options.expect.map(parseExpectation);
  const groups = options.digits !== undefined ? parseDigitGroups(options.digits) : undefined;
  const timeoutMs = wholeFlag('--timeout', options.timeout, 600_000);
  const maxSteps = wholeFlag('--max-steps', options.maxSteps, 1000);
  const keypad = groups === undefined && options.input ? keypadFor(ctx, json) : undefined;
  // Nobody to press keys: say so before the first request, not after it has opened a session and a call row.
  if (groups === undefined && options.input && keypad === undefined) {
    throw new UsageError('a call that reached a <Gather> would have no one to press keys: stdin is not a terminal', {
      code: 'E_NO_KEYS',
    });
  }
  if (applet) {
    exomlOnly(options);
    const exophone = phoneFlag(
      options.exophone !== undefined ? '--exophone' : 'EXOPHONE',
      options.exophone ?? config.exophone,
    );
    const { customer } = await customerFor(ctx, options);
    const { runAppletSimulate } = await import('./applet.ts');
    await runAppletSimulate(ctx, options, {
      base: url,
      customer,
      phone: customer.phone,
      exophone,
      timeoutMs,
      maxSteps,
      input: { ...(groups ? { groups } : {}), noInput: !options.input, ...(keypad ? { keypad } : {}) },
      expectations,
      onLines: (lines) => {
        for (const l of lines) out.result(paint(out, l));
      },
    });
    return;
  }
  const built = await callOptions(ctx, config, url, options);
  const { buildCall } = await import('../../../simulate/run.ts');
  const call = buildCall(built);
  for (const warning of call.warnings) out.warn(warning);
  const { record, results } = await call.run({
    timeoutMs,
    maxSteps,
    digitParam: options.digitParam,
    input: { ...(groups ? { groups } : {}), noInput: !options.input, ...(keypad ? { keypad } : {}) },
    expectations,
    onLines: (lines) => {
      for (const l of lines) out.result(paint(out, l));
    },
    origin: new URL(url).origin,
    names: INPUT_NAMES,
  });
  if (json) out.printJson(call.json(record, results));
  if (options.record !== undefined)
    await (await import('./record.ts')).saveRecording(ctx, options.record, record, {
      url,
      customer: built.customer.customer,
      digitParam: options.digitParam,
    });
  finish(
    ctx,
    record,
    results.some((r) => !r.ok),
    options.strict === true,
  );
}

/** Flags that shape ExoML requests or recordings mean nothing to an applet flow: refused rather than ignored. */
function exomlOnly(options: SimulateOptions): void {
  const given = [
    options.record !== undefined ? '--record' : '',
    options.param.length > 0 ? '--param' : '',
    options.legacyParams ? '--legacy-params' : '',
    options.documentedCreated ? '--documented-created' : '',
    options.method !== 'GET' ? '--method' : '',
    options.digitParam !== 'DigitsPressed' ? '--digit-param' : '',
    options.direction !== undefined && options.direction !== 'outbound-api' ? '--direction' : '',
  ].filter(Boolean);
  if (given.length > 0)
    throw new UsageError(`${given.join(', ')}: for the ExoML flavour only, not with --flavor applet (or --flow)`, {
      hint: 'an applet flow sends what Exotel sends: GET, the call details, digits="…" after a Gather',
    });
}

function finish(ctx: CliContext, record: CallRecord, expectFailed: boolean, strict: boolean): void {
  const { outcome } = record;
  if (outcome.kind === 'error' && outcome.unreachable) {
    throw new UnreachableError('server', outcome.reason ?? 'unreachable', {
      hint: 'start it with: exo-passthru serve (or give the URL of your webhook)',
    });
  }
  // A silent server is a dependency that does not answer, as for validate: exit 3, not a failed check.
  if (outcome.kind === 'error' && outcome.silent) {
    throw new UnreachableError('server', outcome.reason ?? 'no answer in time', {
      hint: 'is the server stuck? a slow one: raise --timeout <ms>',
    });
  }
  // infos are opinions Exotel's own examples do not follow: --strict does not fail on them; errors fail always.
  const all = record.steps.flatMap((step) => step.findings);
  const errors = all.filter((f) => f.severity === 'error').length;
  const findings = all.filter((f) => f.severity !== 'info').length;
  if (outcome.kind === 'error' || expectFailed) ctx.setExitCode(EXIT.checkFailed);
  else if (errors > 0) {
    ctx.output().warn(`${errors} error finding(s): Exotel would not play this as written; exit 1`);
    ctx.setExitCode(EXIT.checkFailed);
  } else if (strict && findings > 0) {
    ctx.output().warn(`--strict: ${findings} finding(s); exit 1`);
    ctx.setExitCode(EXIT.checkFailed);
  }
}
