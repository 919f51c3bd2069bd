/**
 * One call's webhook exchanges (server/exchanges.ts) → a scenario file in the format `simulate --record` writes
 * (record.ts writes both): the customer and call settings from the first Passthru request, the presses from the
 * digits of the requests after it, and at each point what the answers said. Phone numbers and the customer's name
 * are replaced by placeholders unless `pii` (redact.ts). Used by `serve --record` (recorder.ts) and by the admin
 * API's `GET /admin/calls/:callSid/scenario`. Pure.
 */
import { createHash } from 'node:crypto';
import { encodeCustomField } from '../exotel/custom-field.ts';
import type { CustomerField } from '../exotel/customer.ts';
import { parseExoml } from '../exoml/parse.ts';
import { isExomlExchange, readExchangeCall, readFirstRequest, type RecordedExchange } from './exchange-call.ts';
import { formatScenario, type ScenarioDocument, scenarioDocument } from './record.ts';
import { redactScenario } from './redact.ts';

export type { RecordedExchange } from './exchange-call.ts';

export type ScenarioOptions = {
  /** Where the webhooks were served (`http://127.0.0.1:3000`): the scenario's url: is this and the first path. */
  origin: string;
  /** Keep phone numbers and names as they came (default: placeholders). */
  pii?: boolean;
  /** When the call started, for the scenario's name (default: now). */
  at?: Date;
  /** Who made the file, for its first comment line (`serve --record`). */
  by: string;
};

export type ScenarioText = { ok: true; yaml: string; name: string } | { ok: false; reason: string };

/** A short, stable tag for a CallSid (file names and scenario names carry this, never the CallSid or a number). */
export function callTag(callSid: string): string {
  return createHash('sha256').update(callSid).digest('hex').slice(0, 10);
}

/**
 * The exchange ends its call: the StatusCallback, an error, or an answer that leads to no further request (a
 * Hangup, a Dial without action the call leaves the flow with, the end of the document).
 */
export function endsCall(exchange: RecordedExchange): boolean {
  if (exchange.path === '/exotel/status-callback') return true;
  if (!isExomlExchange(exchange)) return false;
  if (exchange.status < 200 || exchange.status > 299) return true;
  const root = parseExoml(exchange.response).root;
  if (root?.name !== 'Response') return true;
  const leadsOn = (c: { name: string; attrs: Record<string, string> }) =>
    c.name === 'Gather' || c.name === 'Redirect' || ((c.name === 'Dial' || c.name === 'Record') && !!c.attrs.action);
  const hangup = root.children.findIndex((c) => c.name === 'Hangup');
  const before = hangup === -1 ? root.children : root.children.slice(0, hangup);
  return !before.some(leadsOn);
}

/** The fields `test` fills from its default customer when a scenario leaves them out (src/cli/commands/simulate/customer.ts). */
const DEFAULTED: readonly CustomerField[] = ['customer_id', 'customer_name', 'loan_id', 'amount', 'due_date'];

/**
 * A call that came without some of those fields must be replayed without them, or the replay's greeting would
 * speak the default customer's: the parameters send them empty (the server reads an empty field as absent) and the
 * CustomField with only the fields the call had.
 */
function keepAbsent(doc: ScenarioDocument): ScenarioDocument {
  const missing = DEFAULTED.filter((field) => doc.customer[field] === undefined);
  if (missing.length === 0) return doc;
  const call = doc.call ?? {};
  const params = {
    ...((call.params as Record<string, string> | undefined) ?? {}),
    ...Object.fromEntries(missing.map((field) => [field, ''])),
    CustomField: encodeCustomField(doc.customer),
  };
  return { ...doc, call: { ...call, params } };
}

function nameOf(callSid: string, at: Date): string {
  return `call ${callTag(callSid)} at ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function scenarioFromExchanges(
  callSid: string,
  all: readonly RecordedExchange[],
  options: ScenarioOptions,
): ScenarioText {
  const exchanges = all.filter(isExomlExchange);
  const first = exchanges[0];
  if (first === undefined) return { ok: false, reason: `no webhook exchanges for call ${callTag(callSid)}` };
  const { record, flavour } = readExchangeCall(exchanges, callSid);
  const request = readFirstRequest(first);
  const name = nameOf(callSid, options.at ?? new Date());
  const doc = scenarioDocument(record, {
    name,
    // Always on the server's own origin: a path such as `//host/x` would otherwise resolve to another host.
    url: `${new URL(options.origin).origin}/${first.path.replace(/^\/+/, '')}`,
    customer: request.customer,
    ...(request.from !== undefined ? { from: request.from } : {}),
    ...(request.to !== undefined ? { to: request.to } : {}),
    method: request.method,
    params: request.params,
    digitParam: flavour,
  });
  const header = [
    `# Recorded by ${options.by} from call ${callTag(callSid)}; replay with: exo-passthru test <this file>`,
    options.pii
      ? '# Phone numbers and names are as the call sent them: this file holds personal data.'
      : "# Phone numbers and the customer name are placeholders; dial: is left out (the number is the server's own).",
  ].join('\n');
  return { ok: true, name, yaml: formatScenario(keepAbsent(options.pii ? doc : redactScenario(doc)), header) };
}
