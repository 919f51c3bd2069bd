/**
 * What the two webhooks do, independent of express: read the call, keep the session and history, decide the
 * verbs. Store failures never reach the caller: the ExoML is built from what the request carries (the Gather
 * action URL repeats CallSid, language, attempt and customer id), failures are logged. The answer waits for
 * the history write to be committed or durably spooled (the writer's promise), so an answered call's history
 * is never only in memory.
 */
import type { CallSession } from '../domain/call.ts';
import { CUSTOMER_FIELD_MAX_LENGTH, type Customer } from '../domain/customer.ts';
import { buildExoml, type Verb } from '../exoml/build.ts';
import { isUsableCallSid } from '../exotel/call.ts';
import { readCallEnd, type CallEndReport } from '../exotel/call-end.ts';
import { decodeCustomField } from '../exotel/custom-field.ts';
import { parseAmount, parseDueDate, pickCustomerInput, type CustomerField } from '../exotel/customer.ts';
import { readDigits } from '../exotel/digits.ts';
import { chooseLanguage, parseLanguageCode, type LanguageCode } from '../exotel/language.ts';
import { normalizePhoneIN } from '../exotel/phone.ts';
import { errorVerbs, greetingVerbs, MAX_ATTEMPTS, menuVerbs, type FlowSettings } from '../flow/call-flow.ts';
import type { HistoryWriter, SessionStore } from '../stores/ports.ts';
import type { Logger } from './logger.ts';
import { storableParams, type Params } from './params.ts';

export type CallServiceDeps = {
  sessions: SessionStore;
  writer: HistoryWriter;
  logger: Logger;
  flow: FlowSettings;
  sessionTtl: number;
  now: () => Date;
};

export type WebhookReply = { status: number; xml: string; callSid: string | undefined; warnings: string[] };

export type ActionUrlBuilder = (state: { callSid: string; language: LanguageCode; attempt: number; customerId: string | undefined }) => string;

function callSidOf(params: Params): string | undefined {
  const sid = params.CallSid ?? params.call_sid;
  return sid === undefined || sid.trim() === '' ? undefined : sid.trim();
}

type CustomerReading = { customer: Customer | undefined; language: LanguageCode; warnings: string[] };

/** Lenient: an over-long field is cut to the limit `url --csv` rejects above, so a URL it wrote is never cut. */
function clip(field: CustomerField, value: string): string {
  const max = CUSTOMER_FIELD_MAX_LENGTH[field];
  return max === undefined ? value : value.slice(0, max);
}

/**
 * Customer fields from the query/form, else from CustomField; lenient: a bad field is dropped with a warning.
 * A signed URL (`url --sign`) vouches only for the customer fields in its query, so a CustomField on it is not
 * read: otherwise anyone could add an unsigned loan_id or amount to a signed link.
 */
export function readCustomer(params: Params): CustomerReading {
  const warnings: string[] = [];
  let fromCustomField: Record<string, string> = {};
  if (params.sig !== undefined && params.CustomField !== undefined) {
    warnings.push('CustomField ignored: the URL is signed, only its signed customer fields are used');
  } else {
    const decoded = decodeCustomField(params.CustomField);
    if (decoded.ok) fromCustomField = decoded.fields;
    else warnings.push(decoded.error);
  }
  const input = { ...pickCustomerInput(fromCustomField), ...pickCustomerInput(params) };
  const choice = chooseLanguage(input.language_code, input.state);
  if (choice.warning) warnings.push(choice.warning);
  if (input.customer_id === undefined) {
    if (Object.keys(input).length > 0) warnings.push('customer fields without customer_id are not stored');
    return { customer: undefined, language: choice.code, warnings };
  }
  const customer: Customer = { customer_id: clip('customer_id', input.customer_id) };
  if (input.customer_name) customer.customer_name = clip('customer_name', input.customer_name);
  if (input.loan_id) customer.loan_id = clip('loan_id', input.loan_id);
  if (input.state) customer.state = clip('state', input.state);
  if (input.temp_call_id) customer.temp_call_id = clip('temp_call_id', input.temp_call_id);
  if (input.language_code && parseLanguageCode(input.language_code)) customer.language_code = input.language_code;
  if (input.amount !== undefined) {
    const amount = parseAmount(input.amount);
    if (amount.ok) customer.amount = amount.value;
    else warnings.push(`amount "${input.amount.slice(0, 40)}" ignored: ${amount.reason}`);
  }
  if (input.due_date !== undefined) {
    const due = parseDueDate(input.due_date);
    if (due.ok) customer.due_date = due.value;
    else warnings.push(`due_date "${input.due_date.slice(0, 40)}" ignored: ${due.reason}`);
  }
  const phone = normalizePhoneIN(input.phone ?? params.CallFrom ?? params.From);
  if (phone) customer.phone = phone;
  return { customer, language: choice.code, warnings };
}

export function createCallService(deps: CallServiceDeps) {
  const { sessions, writer, logger, flow } = deps;

  const saveSession = async (session: CallSession) => {
    try {
      await sessions.put(session, deps.sessionTtl);
    } catch (error) {
      logger.error(`session write failed for ${session.callSid}; state carried in the action URL`, error);
    }
  };

  const loadSession = async (callSid: string): Promise<CallSession | undefined> => {
    try {
      return await sessions.get(callSid);
    } catch (error) {
      logger.error(`session read failed for ${callSid}; using the state in the action URL`, error);
      return undefined;
    }
  };

  const badRequest = (message: string, language: LanguageCode, callSid: string | undefined): WebhookReply => ({
    status: 400,
    xml: buildExoml(errorVerbs(flow, language)),
    callSid,
    warnings: [message],
  });

  /**
   * The Passthru after a Connect or a Voicebot: the call is over. The outcome the menu decided stays; the dial
   * status, duration, recording and stream details are stored; the caller is not greeted again.
   */
  const endOfCall = async (callSid: string, end: CallEndReport, existing: CallSession | undefined, now: string, callStatus: string | undefined): Promise<WebhookReply> => {
    const { legs, callType, ...stored } = end;
    const update = {
      callSid,
      status: 'ended',
      ended: true,
      end: stored,
      event: { kind: 'passthru-end', detail: { ...stored, legs, callType: callType ?? null, exotelCallStatus: callStatus ?? null, sessionFound: existing !== undefined } },
    };
    const writes: Array<Promise<unknown>> = [writer.recordCallUpdate(update)];
    if (existing) writes.push(saveSession({ ...existing, state: 'ended', updatedAt: now }));
    await Promise.all(writes);
    return { status: 200, xml: buildExoml([{ verb: 'Hangup' }]), callSid, warnings: [] };
  };

  return {
    async passthru(params: Params, actionUrl: ActionUrlBuilder): Promise<WebhookReply> {
      const reading = readCustomer(params);
      const callSid = callSidOf(params);
      if (callSid === undefined) return badRequest('CallSid (or call_sid) is required', reading.language, undefined);
      if (!isUsableCallSid(callSid)) return badRequest('CallSid must be 1-64 letters, digits, _ or -', reading.language, undefined);
      const { customer, language } = reading;
      const now = deps.now().toISOString();
      const existing = await loadSession(callSid);
      const end = readCallEnd(params);
      if (end) return endOfCall(callSid, end, existing, now, params.CallStatus);
      const session: CallSession = {
        callSid,
        language,
        state: 'greeted',
        attempts: 1,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (customer) session.customer = customer;
      const from = params.CallFrom ?? params.From;
      const to = params.CallTo ?? params.To;
      if (from) session.from = from;
      if (to) session.to = to;
      const url = actionUrl({ callSid, language, attempt: 1, customerId: customer?.customer_id });
      const verbs = greetingVerbs(flow, { customer, language, actionUrl: url, noInputUrl: url });
      const start = {
        callSid,
        status: 'greeted',
        direction: params.Direction,
        language,
        exotelParams: storableParams(params),
        event: { kind: 'passthru', detail: { language, warnings: reading.warnings, exotelCallStatus: params.CallStatus ?? null } },
        ...(customer ? { customer } : {}),
      };
      await Promise.all([saveSession(session), writer.recordCallStart(start)]);
      return { status: 200, xml: buildExoml(verbs), callSid, warnings: reading.warnings };
    },

    async gather(params: Params, actionUrl: ActionUrlBuilder): Promise<WebhookReply> {
      const callSid = callSidOf(params);
      const hinted = parseLanguageCode(params.lang) ?? 'en';
      if (callSid === undefined) return badRequest('CallSid (or call_sid) is required', hinted, undefined);
      if (!isUsableCallSid(callSid)) return badRequest('CallSid must be 1-64 letters, digits, _ or -', hinted, undefined);
      const reading = readDigits(params);
      if (reading.invalid) return badRequest(`${reading.source} must hold only 0-9, * and #`, hinted, callSid);
      const session = await loadSession(callSid);
      const language = session?.language ?? hinted;
      const attemptParam = Number.parseInt(params.attempt ?? '', 10);
      const attempts = session?.attempts ?? (Number.isInteger(attemptParam) && attemptParam > 0 ? Math.min(attemptParam, MAX_ATTEMPTS) : 1);
      const customerId = session?.customer?.customer_id ?? params.customer_id;
      const nextUrl = actionUrl({ callSid, language, attempt: attempts + 1, customerId });
      const decision = menuVerbs(flow, { language, digits: reading.digits, attempts, actionUrl: nextUrl, noInputUrl: nextUrl });
      const now = deps.now().toISOString();
      const updated: CallSession = {
        ...(session ?? { callSid, language, createdAt: now }),
        callSid,
        language,
        state: decision.kind === 'reprompt' ? 'reprompted' : decision.kind === 'transfer' ? 'transferring' : 'ended',
        attempts: decision.kind === 'reprompt' ? attempts + 1 : attempts,
        updatedAt: now,
      };
      if (reading.digits !== undefined && reading.digits !== '') updated.digits = reading.digits;
      if (reading.source) updated.digitSource = reading.source;
      if (decision.kind !== 'reprompt') updated.outcome = decision.outcome;
      if (!session && customerId && !updated.customer) updated.customer = { customer_id: customerId };
      const update = {
        callSid,
        status: updated.state,
        ...(updated.digits !== undefined ? { digits: updated.digits } : {}),
        ...(decision.kind !== 'reprompt' ? { outcome: decision.outcome, ended: decision.kind !== 'transfer' } : {}),
        ...(decision.kind === 'transfer' ? { agentNumber: flow.agentNumber } : {}),
        event: {
          kind: 'gather',
          detail: { digits: reading.digits ?? null, digitSource: reading.source ?? null, decision: decision.kind, attempts, sessionFound: session !== undefined },
        },
      };
      await Promise.all([saveSession(updated), writer.recordCallUpdate(update)]);
      return { status: 200, xml: buildExoml(decision.verbs satisfies Verb[]), callSid, warnings: [] };
    },
  };
}

export type CallService = ReturnType<typeof createCallService>;
