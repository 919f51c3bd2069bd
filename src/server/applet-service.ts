/**
 * What the App Bazaar applet endpoints do, independent of express (docs/exotel-protocol.md §1.4, §2, §3, §4,
 * §6.2): the same session per CallSid and the same history writer as the ExoML webhooks. Whichever applet Exotel
 * reaches first for a CallSid (Greeting, Passthru or Gather) starts the call; later ones read the session, and a
 * Passthru after a Connect or a Voicebot records how the call ended instead of starting it again.
 */
import type { CallSession } from '../domain/call.ts';
import {
  connectJson,
  gatherJson,
  passthruBranch,
  readStatusCallback,
  statusCallbackWriteId,
  type ConnectJson,
  type GatherJson,
  type PassthruBranch,
  type StatusCallbackReport,
} from '../exotel/applets.ts';
import { isUsableCallSid } from '../exotel/call.ts';
import { readCallEnd, type CallEndReport } from '../exotel/call-end.ts';
import { readDigits } from '../exotel/digits.ts';
import type { LanguageCode } from '../exotel/language.ts';
import type { Customer } from '../domain/customer.ts';
import { gatherPromptTexts, greetingText } from '../flow/call-flow.ts';
import { readCustomer, type CallServiceDeps } from './call-service.ts';
import { storableParams, type Params } from './params.ts';

export type AppletCall = {
  callSid: string;
  customer: Customer | undefined;
  language: LanguageCode;
  warnings: string[];
};
export type AppletProblem = { problem: string };

export type PassthruResult = PassthruBranch | { status: 200 | 302; body: 'ok' | 'no digits'; outcome: undefined };

function callSidOf(params: Params): string | AppletProblem {
  const sid = (params.CallSid ?? params.call_sid)?.trim();
  if (sid === undefined || sid === '') return { problem: 'CallSid is required' };
  return isUsableCallSid(sid) ? sid : { problem: 'CallSid must be 1-64 letters, digits, _ or -' };
}

export function createAppletService(deps: CallServiceDeps) {
  const { sessions, writer, logger } = deps;

  const loadSession = async (callSid: string): Promise<CallSession | undefined> => {
    try {
      return await sessions.get(callSid);
    } catch (error) {
      logger.error(`session read failed for ${callSid}; reading the customer from the request`, error);
      return undefined;
    }
  };
  const saveSession = async (session: CallSession) => {
    try {
      await sessions.put(session, deps.sessionTtl);
    } catch (error) {
      logger.error(`session write failed for ${session.callSid}`, error);
    }
  };

  /** The call as the session knows it; the first applet for a CallSid starts it (session + history). */
  const ensureCall = async (
    params: Params,
    applet: string,
  ): Promise<{ call: AppletCall; session: CallSession } | AppletProblem> => {
    const callSid = callSidOf(params);
    if (typeof callSid !== 'string') return callSid;
    const existing = await loadSession(callSid);
    if (existing)
      return {
        call: { callSid, customer: existing.customer, language: existing.language, warnings: [] },
        session: existing,
      };
    const { customer, language, warnings } = readCustomer(params);
    const now = deps.now().toISOString();
    const session: CallSession = { callSid, language, state: 'greeted', attempts: 1, createdAt: now, updatedAt: now };
    if (customer) session.customer = customer;
    const from = params.CallFrom ?? params.From;
    const to = params.CallTo ?? params.To;
    if (from) session.from = from;
    if (to) session.to = to;
    const start = {
      callSid,
      status: 'greeted',
      direction: params.Direction,
      language,
      exotelParams: storableParams(params),
      event: {
        kind: `applet-${applet}`,
        detail: { applet, language, warnings, exotelCallStatus: params.CallStatus ?? null },
      },
      ...(customer ? { customer } : {}),
    };
    await Promise.all([saveSession(session), writer.recordCallStart(start)]);
    return { call: { callSid, customer, language, warnings }, session };
  };

  const endOfCall = async (
    callSid: string,
    end: CallEndReport,
    session: CallSession,
    params: Params,
  ): Promise<PassthruResult> => {
    const { callType, ...stored } = end;
    const update = {
      callSid,
      status: 'ended',
      ended: true,
      end: stored,
      event: {
        kind: 'applet-passthru-end',
        detail: { ...stored, callType: callType ?? null, exotelCallStatus: params.CallStatus ?? null },
      },
    };
    const now = deps.now().toISOString();
    await Promise.all([writer.recordCallUpdate(update), saveSession({ ...session, state: 'ended', updatedAt: now })]);
    return { status: 200, body: 'ok', outcome: undefined };
  };

  return {
    /** The Greeting applet's text/plain (§4), in the customer's language. */
    async greeting(params: Params): Promise<{ text: string; call: AppletCall } | AppletProblem> {
      const found = await ensureCall(params, 'greeting');
      if ('problem' in found) return found;
      return { text: greetingText(deps.flow, found.call.customer, found.call.language), call: found.call };
    },

    /** The Gather applet's JSON (§2.3): the menu in the customer's language. */
    async gather(params: Params): Promise<{ json: GatherJson; call: AppletCall } | AppletProblem> {
      const found = await ensureCall(params, 'gather');
      if ('problem' in found) return found;
      const texts = gatherPromptTexts(deps.flow, found.call.language);
      return { json: gatherJson(texts.prompt, texts.repeat), call: found.call };
    },

    /** The Connect applet's JSON (§3): dial the agent from the ExoPhone; the call is marked as transferring. */
    async connect(params: Params): Promise<{ json: ConnectJson; call: AppletCall } | AppletProblem> {
      const found = await ensureCall(params, 'connect');
      if ('problem' in found) return found;
      const json = connectJson(deps.flow.agentNumber, deps.flow.exophone);
      const update = {
        callSid: found.call.callSid,
        status: 'transferring',
        agentNumber: deps.flow.agentNumber,
        event: { kind: 'applet-connect', detail: { numbers: json.destination.numbers } },
      };
      await writer.recordCallUpdate(update);
      return { json, call: found.call };
    },

    /** 200 or 302 by the rule of `passthruBranch`; a Passthru after Connect/Voicebot records the end (200). */
    async passthru(params: Params): Promise<PassthruResult | AppletProblem> {
      const reading = readDigits(params);
      if (reading.invalid) return { problem: `${reading.source} must hold only 0-9, * and #` };
      const found = await ensureCall(params, 'passthru');
      if ('problem' in found) return found;
      const { call, session } = found;
      const end = readCallEnd(params);
      if (end) return endOfCall(call.callSid, end, session, params);
      // Before any Gather there is nothing to decide: the call is started, not ended, and the answer is "else".
      if (reading.source === undefined) return { status: 302, body: 'no digits', outcome: undefined };
      const branch = passthruBranch(reading.digits);
      const transfer = branch.outcome === 'agent_transfer';
      const now = deps.now().toISOString();
      const updated: CallSession = {
        ...session,
        state: transfer ? 'transferring' : 'ended',
        outcome: branch.outcome,
        updatedAt: now,
      };
      if (reading.digits) updated.digits = reading.digits;
      const update = {
        callSid: call.callSid,
        status: updated.state,
        outcome: branch.outcome,
        ended: !transfer,
        ...(reading.digits ? { digits: reading.digits } : {}),
        ...(transfer ? { agentNumber: deps.flow.agentNumber } : {}),
        event: {
          kind: 'applet-passthru',
          detail: { digits: reading.digits ?? null, status: branch.status, outcome: branch.outcome },
        },
      };
      await Promise.all([writer.recordCallUpdate(update), saveSession(updated)]);
      return branch;
    },

    /** Fills ended_at, duration, final status, recording and legs; one event per CallSid + Status (§6.2). */
    async statusCallback(body: Readonly<Record<string, unknown>>): Promise<StatusCallbackReport | AppletProblem> {
      const read = readStatusCallback(body);
      if (!read.ok) return { problem: read.error };
      const report = read.report;
      if (!isUsableCallSid(report.callSid)) return { problem: 'CallSid must be 1-64 letters, digits, _ or -' };
      const update = {
        callSid: report.callSid,
        ...(report.terminal ? { status: 'ended', ended: true } : {}),
        ...(report.endedAt ? { endedAt: report.endedAt } : {}),
        writeId: statusCallbackWriteId(report.callSid, report.status),
        end: {
          finalStatus: report.status,
          legs: report.legs,
          ...(report.duration !== undefined ? { duration: report.duration } : {}),
          ...(report.recordingUrl ? { recordingUrl: report.recordingUrl } : {}),
        },
        event: { kind: 'status-callback', detail: { ...report } },
      };
      const writes: Array<Promise<unknown>> = [writer.recordCallUpdate(update)];
      const session = report.terminal ? await loadSession(report.callSid) : undefined;
      if (session && session.state !== 'ended')
        writes.push(saveSession({ ...session, state: 'ended', updatedAt: deps.now().toISOString() }));
      await Promise.all(writes);
      return report;
    },
  };
}
