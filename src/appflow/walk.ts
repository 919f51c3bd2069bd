/**
 * One call walked through an App Bazaar flow the way Exotel runs it (docs/exotel-protocol.md §0, §10.1 `exotel`
 * mode): the builder's transitions decide where the call goes; a Passthru's status picks its branch (200 → "OK",
 * anything else, a timeout or a failed connection → "else", §1.4) and its body is ignored; Gather and Connect
 * dynamic URLs answer JSON and Greeting text/plain, each validated with the JSON-surface validator; keys from a
 * Gather ride on later requests as `digits="…"` (§2.4); a Passthru after a Connect carries the dial result
 * (§1.3, §10.2 item 3); the call ends with the terminal StatusCallback (§6.2). HTTP only, through src/http/.
 */
import { formatIst } from '../exotel/call.ts';
import { play } from './applet-steps.ts';
import { deliverStatusCallback } from './status-callback.ts';
import { HANGUP } from './types.ts';
import { ending, now, resolveAppletUrl, type Walk, type WalkOptions } from './walk-state.ts';
import type { AppletStep, FlowCallRecord } from './walk-types.ts';

export async function walkFlow(options: WalkOptions): Promise<FlowCallRecord> {
  const record: FlowCallRecord = {
    flow: options.flow.name,
    callSid: options.callParams.CallSid ?? '',
    steps: [],
    outcome: { kind: 'hangup', reason: '' },
    unreachable: false,
  };
  const walk: Walk = {
    options,
    record,
    carried: {},
    noInput: false,
    emit: (event) => options.onEvent?.(event),
  };
  const maxSteps = options.maxSteps ?? 30;
  let name = options.flow.start;
  for (;;) {
    const applet = options.flow.applets[name];
    if (applet === undefined) {
      record.outcome = ending(walk, name === HANGUP ? 'hangup' : `the missing applet "${name}"`);
      break;
    }
    if (record.steps.length >= maxSteps) {
      record.outcome = { kind: 'error', reason: `loop guard: ${maxSteps} applets without reaching a Hangup` };
      break;
    }
    const step: AppletStep = { applet: name, kind: applet.kind, findings: [] };
    record.steps.push(step);
    const turn = await play(walk, step, applet);
    if ('next' in turn) step.next = turn.next;
    walk.emit({ type: 'step', step, index: record.steps.length - 1 });
    if ('end' in turn) {
      record.outcome = turn.end;
      break;
    }
    name = turn.next;
  }
  if (options.statusCallback) await sendCallback(walk, options.statusCallback);
  return record;
}

async function sendCallback(walk: Walk, target: { url: string; json: boolean }): Promise<void> {
  const { callParams } = walk.options;
  const at = formatIst(now(walk));
  const dial = walk.record.steps.find((step) => step.dial)?.dial;
  const fields: Record<string, string> = {
    CallSid: walk.record.callSid,
    EventType: 'terminal',
    Status: walk.record.outcome.kind === 'error' ? 'failed' : 'completed',
    DateCreated: callParams.StartTime ?? at,
    DateUpdated: at,
    StartTime: callParams.StartTime ?? at,
    EndTime: at,
    From: callParams.CallFrom ?? callParams.From ?? '',
    To: callParams.CallTo ?? callParams.To ?? '',
    PhoneNumberSid: callParams.CallTo ?? '',
    Direction: 'outbound-api',
    ConversationDuration: String(dial?.duration ?? 0),
    ...(dial?.recordingUrl ? { RecordingUrl: dial.recordingUrl } : {}),
    ...(callParams.CustomField !== undefined ? { CustomField: callParams.CustomField } : {}),
  };
  const url = resolveAppletUrl(target.url, walk.options.base);
  const delivery = await deliverStatusCallback({
    url,
    json: target.json,
    fields,
    ...(walk.options.dispatcher ? { dispatcher: walk.options.dispatcher } : {}),
    onAttempt: (attempt) => walk.emit({ type: 'callback', url, attempt }),
  });
  walk.record.statusCallback = { url, ...delivery };
}
