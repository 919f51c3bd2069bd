/** What one walk of an App Bazaar flow produced: the applets in order, how the call ended, the StatusCallback. */
import type { Finding } from '../exoml/finding.ts';
import type { AppletKind } from './types.ts';

export type AppletExchange = {
  method: 'GET' | 'HEAD' | 'POST';
  /** The URL on the wire, Exotel's parameters appended to its own query. */
  url: string;
  params: Record<string, string>;
  status?: number;
  contentType?: string;
  body?: string;
  ms: number;
  /** The exchange failed before an answer (timeout, refused, reset, too large). */
  error?: string;
  /** No connection at all (refused, unknown host). */
  unreachable?: boolean;
  /** Connected, but no complete answer within the budget. */
  silent?: boolean;
};

export type AppletStep = {
  applet: string;
  kind: AppletKind;
  exchange?: AppletExchange;
  findings: Finding[];
  /** Greeting text, or the Gather prompt. */
  heard?: string;
  /** Gather: the keys pressed and the digits sent on (finish key dropped, max digits honoured). */
  keys?: { pressed: string; digits: string; source: string };
  /** Passthru: which transition its answer took. */
  branch?: 'ok' | 'else';
  /** Connect: whom Exotel dialled and how the simulated conversation ended. */
  dial?: { numbers: string[]; status: string; duration: number; recordingUrl?: string };
  /** The applet the call went to next ('hangup' at the end). */
  next?: string;
};

export type FlowEnding = {
  kind: 'dial' | 'hangup' | 'no-input' | 'error';
  reason: string;
  numbers?: string[];
  /** error: an applet URL did not accept a connection (simulate exits 3). */
  unreachable?: boolean;
};

export type CallbackAttempt = { attempt: number; status?: number; error?: string; ms: number };

export type FlowCallRecord = {
  flow: string;
  callSid: string;
  steps: AppletStep[];
  outcome: FlowEnding;
  /** Some applet URL could not be reached at all (the call went on by the builder's "else" branch, or ended). */
  unreachable: boolean;
  statusCallback?: { url: string; attempts: CallbackAttempt[]; delivered: boolean };
};

export type FlowEvent =
  | { type: 'step'; step: AppletStep; index: number }
  | { type: 'callback'; url: string; attempt: CallbackAttempt };
