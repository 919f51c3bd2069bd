/**
 * An App Bazaar flow as the flow builder wires it (docs/exotel-protocol.md §0, §1.4, §2.1): applets by name, each
 * with its (dynamic) URL and its transitions. Exotel reads a Passthru's status only, Gather and Connect JSON, a
 * Greeting's text/plain; the transitions, never the answers, decide where the call goes next. Plain data: read
 * from YAML by parse.ts (docs/flow.schema.json), walked over HTTP by walk.ts.
 */

export const APPLET_KINDS = ['greeting', 'gather', 'passthru', 'connect', 'hangup'] as const;
export type AppletKind = (typeof APPLET_KINDS)[number];

/** The name a transition may use without defining it: the call ends there. */
export const HANGUP = 'hangup';

type GreetingApplet = { kind: 'greeting'; url?: string; text?: string; next: string };
export type GatherApplet = {
  kind: 'gather';
  /** The dynamic URL answering Gather JSON (§2.3); without it the static `prompt` and key settings. */
  url?: string;
  prompt?: string;
  maxInputDigits?: number;
  finishOnKey?: string;
  next: string;
  /** Where the call goes when the caller presses nothing (default: `next`, with `digits=""`). */
  onNoInput?: string;
};
type PassthruApplet = {
  kind: 'passthru';
  url: string;
  /** "Once the URL returns OK (200 OK)". */
  onOk: string;
  /** "If the url returns anything else": any other status, a timeout or a failed connection (§1.4). */
  onElse: string;
};
export type ConnectApplet = {
  kind: 'connect';
  /** The dynamic URL answering Connect JSON (§3); without it the static `numbers`. */
  url?: string;
  numbers?: string[];
  /** "After the call conversation ends". */
  next: string;
};
type HangupApplet = { kind: 'hangup' };

export type FlowApplet = GreetingApplet | GatherApplet | PassthruApplet | ConnectApplet | HangupApplet;

export type AppletFlow = {
  name: string;
  /** The first applet. */
  start: string;
  applets: Readonly<Record<string, FlowApplet>>;
  /** Where the terminal StatusCallback goes when the call's starter gave none (relative to the base URL). */
  statusCallback?: string;
};
