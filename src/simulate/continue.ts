/**
 * Continue a call that waits at a Gather: keys pressed on the browser inspector's keypad become the request Exotel
 * would send next (docs/exotel-protocol.md §5.2): the Gather's action (relative to the document's URL; the document's
 * own URL when there is none), its method, `DigitsPressed` plus the call's CallSid, CallFrom, CallTo and CallStatus.
 * The request is built by the same functions `simulateCall` uses (verbs.ts, digits.ts, exotel-request.ts) and sent
 * over HTTP (http.ts), so the server cannot tell it from a simulated call. serve injects it into the inspector's
 * routes (server/ never imports simulate/, docs/architecture.md rule 3).
 */
import { parseExoml } from '../exoml/parse.ts';
import { digitParam, toGatherInput } from './digits.ts';
import { actionParams } from './exotel-request.ts';
import { sendRequest } from './http.ts';
import type { SimRequest } from './types.ts';
import { toGather } from './verbs.ts';

export type KeypadInput = {
  /** The ExoML that holds the Gather: the last answer of the call. */
  document: string;
  /** The absolute URL that answered it: relative actions resolve against it. */
  documentUrl: string;
  /** The first request's parameters (the Passthru hit): CallSid, CallFrom, CallTo, CallStatus ride on actions. */
  firstParams: Readonly<Record<string, string>>;
  /** The keys as pressed; the finish key and numDigits end the input as on a phone. */
  keys: string;
  timeoutMs: number;
  /**
   * Send to this origin, with the action's path and query, whatever host the action names. The inspector passes its
   * own server: a Gather action is built from the webhook's Host header when BASE_URL is unset, so anyone who can
   * send a webhook could otherwise point an admin's key press at a host of their choosing.
   */
  sendTo?: string;
};

export type KeypadResult =
  | { ok: true; request: SimRequest; status: number; ms: number }
  | { ok: false; reason: string; request?: SimRequest };

/** The request the Gather's action gets for `keys`, or why there is none. Pure. */
export function gatherActionRequest(
  input: Omit<KeypadInput, 'timeoutMs'>,
): { ok: true; request: SimRequest } | { ok: false; reason: string } {
  const { root } = parseExoml(input.document);
  const node = root?.children.find((child) => child.name === 'Gather');
  if (node === undefined) return { ok: false, reason: 'the last answer of this call has no <Gather> waiting for keys' };
  const gather = toGather(node);
  const keyed = toGatherInput(input.keys, gather, 'keypad');
  if (keyed.kind === 'no-input') return { ok: false, reason: 'no digit before the finish key: nothing to send' };
  const raw = gather.action === '' ? input.documentUrl : gather.action;
  if (!URL.canParse(raw, input.documentUrl)) return { ok: false, reason: `Gather action "${raw}" is not a URL` };
  const url = new URL(raw, input.documentUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: `Gather action "${raw}" is not an http(s) URL` };
  const param = digitParam('DigitsPressed', keyed.digits, gather.method);
  const params = actionParams(input.firstParams);
  params[param.name] = param.value;
  return { ok: true, request: { method: param.method, url: url.toString(), params } };
}

export async function pressKeys(input: KeypadInput): Promise<KeypadResult> {
  const built = gatherActionRequest(input);
  if (!built.ok) return built;
  if (input.sendTo !== undefined) {
    const action = new URL(built.request.url);
    built.request.url = new URL(`${action.pathname}${action.search}`, input.sendTo).toString();
  }
  const result = await sendRequest(built.request, { timeoutMs: input.timeoutMs });
  if (!result.ok) return { ok: false, reason: result.reason, request: built.request };
  return { ok: true, request: built.request, status: result.status, ms: result.ms };
}
