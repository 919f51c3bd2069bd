/**
 * `exo-passthru trigger call`: start a call the way a team's code does, by POSTing Exotel's `Calls/connect` form
 * (docs/exotel-protocol.md §6.1) to `serve --mock-exotel-api` (or any server speaking that API), and print the
 * `{"Call": …}` answer. The mock then walks its flow and POSTs the StatusCallback; `inspect call <Sid>` follows it.
 */
import type { Command } from 'commander';
import type { Config } from '../../../config.ts';
import { CheckFailedError, UnreachableError, UsageError } from '../../../errors.ts';
import { connectFormFields } from '../../../exotel/calls-api.ts';
import { normalizePhoneIN } from '../../../exotel/phone.ts';
import type { CliContext } from '../../context.ts';
import { settingFlags, settingOption } from '../../settings.ts';

type TriggerOptions = {
  from: string;
  callerId?: string;
  exophone?: string;
  customField?: string;
  statusCallback?: string;
  statusJson?: boolean;
  server?: string;
  accountSid: string;
  flowUrl?: string;
  apiKey?: string;
  apiToken?: string;
  timeout: string;
};

const HELP = `
Posts From, CallerId, Url (an Exotel flow URL, never your passthru), CallType=trans, CustomField and, with
--status-callback, StatusCallback + StatusCallbackEvents[0]=terminal (+ StatusCallbackContentType=application/json
with --status-json) as a form, with HTTP Basic auth, to <server>/v1/Accounts/<sid>/Calls/connect.json.
serve --mock-exotel-api answers {"Call": {"Sid", "Status": "in-progress", …}}, then walks its flow against its own
applet endpoints (the callee presses nothing) and POSTs the StatusCallback.

Exit: 0 the call was accepted · 1 the API refused it (RestException: 400, 401, 429) · 2 usage · 3 no server.

Examples:
  $ exo-passthru serve --mock-exotel-api &
  $ exo-passthru trigger call --from 09812345678 --status-callback http://127.0.0.1:8000/exotel/status-callback
  $ exo-passthru trigger call --from +919812345678 --custom-field '{"customer_id":"c1"}' --json | jq -r .Call.Sid
  $ exo-passthru inspect call <Sid>                 # its final status once the StatusCallback arrived`;

export function registerTrigger(program: Command, ctx: CliContext): Command {
  const trigger = program.command('trigger').description("start calls through Exotel's Calls API (or its mock)");
  trigger
    .command('call')
    .description('POST a Calls/connect request as a team would, and print the {"Call": …} answer')
    .requiredOption('--from <number>', 'the customer, called first (From)')
    .option('--caller-id <number>', 'your ExoPhone (CallerId; default EXOPHONE)')
    .addOption(settingOption('exophone', { help: 'your ExoPhone, when --caller-id is not given' }))
    .option('--custom-field <text>', 'CustomField, echoed to the applets and the StatusCallback')
    .option('--status-callback <url>', 'StatusCallback URL for the terminal event')
    .option('--status-json', 'StatusCallbackContentType=application/json')
    .option('--server <url>', 'the Calls API server (default: serve on http://127.0.0.1:$PORT)')
    .option('--account-sid <sid>', 'the account in the path and the flow URL', 'exo-passthru')
    .option('--flow-url <url>', 'Url: the flow (default http://my.exotel.com/<sid>/exoml/start_voice/1)')
    .addOption(settingOption('exotelApiKey'))
    .addOption(settingOption('exotelApiToken'))
    .option('--timeout <ms>', 'time budget for the answer', '5000')
    .addHelpText('after', HELP)
    .action(async (options: TriggerOptions) =>
      runTrigger(ctx, await ctx.loadConfig(settingFlags(options, ['exotelApiKey', 'exotelApiToken'])), options),
    );
  return trigger;
}

function serverUrl(config: Config, raw: string | undefined): string {
  const url = raw ?? config.baseUrl ?? `http://127.0.0.1:${config.port || 8000}`;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--server must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  return url.replace(/\/+$/, '');
}

function phone(flag: string, raw: string): string {
  if (normalizePhoneIN(raw) === undefined)
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not an Indian phone number`, {
      hint: '+91XXXXXXXXXX, 0XXXXXXXXXX or 10 digits',
    });
  return raw.trim();
}

async function runTrigger(ctx: CliContext, config: Config, options: TriggerOptions): Promise<void> {
  const base = serverUrl(config, options.server);
  const timeoutMs = Number(options.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)
    throw new UsageError(`--timeout must be a whole number from 1 to 600000, got "${options.timeout}"`);
  if (!/^[A-Za-z0-9_-]+$/.test(options.accountSid))
    throw new UsageError('--account-sid takes letters, digits, _ and - only');
  const fields = connectFormFields({
    from: phone('--from', options.from),
    callerId: phone(
      options.callerId !== undefined ? '--caller-id' : 'EXOPHONE',
      options.callerId ?? options.exophone ?? config.exophone,
    ),
    flowUrl: options.flowUrl ?? `http://my.exotel.com/${options.accountSid}/exoml/start_voice/1`,
    ...(options.customField !== undefined ? { customField: options.customField } : {}),
    ...(options.statusCallback !== undefined ? { statusCallback: options.statusCallback } : {}),
    ...(options.statusJson ? { statusCallbackJson: true } : {}),
  });
  const { httpRequest } = await import('../../../http/client.ts');
  const url = `${base}/v1/Accounts/${options.accountSid}/Calls/connect.json`;
  const result = await httpRequest({
    url,
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${config.exotelApiKey}:${config.exotelApiToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
    timeoutMs,
    maxBytes: 64 * 1024,
  });
  if (!result.ok)
    throw new UnreachableError('server', `cannot reach ${url}: ${result.message}`, {
      hint: 'start it with: exo-passthru serve --mock-exotel-api (or give --server)',
    });
  const text = Buffer.from(result.body).toString('utf8');
  let answer: { Call?: Record<string, unknown>; RestException?: { Message?: unknown } };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new CheckFailedError(`HTTP ${result.status} from ${url} is not JSON: ${text.slice(0, 80)}`, {
      hint: 'is --server a Calls API? serve answers it with --mock-exotel-api',
    });
  }
  if (result.status !== 200 || answer.Call === undefined) {
    const message = answer.RestException?.Message;
    throw new CheckFailedError(
      `the Calls API refused the call: HTTP ${result.status}${typeof message === 'string' ? `: ${message}` : ''}`,
      result.status === 404 ? { hint: 'is the mock on? serve --mock-exotel-api' } : {},
    );
  }
  const out = ctx.output();
  if (ctx.globals().json) {
    out.printJson(answer);
    return;
  }
  out.result(`call ${String(answer.Call.Sid)} ${String(answer.Call.Status)}`);
  out.result(JSON.stringify(answer, null, 2));
  out.info(`follow it: exo-passthru inspect call ${String(answer.Call.Sid)} --server ${base}`);
}
