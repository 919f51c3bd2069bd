/**
 * The data of one simulated call: what was sent, what came back, what the caller heard and pressed, and how
 * the call ended. Plain data, so `--json` prints it as is and tests assert on it.
 *
 * Two names are shared with the rest of the project and re-exported here by reference, so the simulator's
 * callers find its whole vocabulary in one place: `HttpMethod` (defined with the ExoML builder) and `Finding`
 * (the validator's; the simulator's own findings, such as SIM001 latency, have the same shape).
 */
import type { HttpMethod } from '../exoml/build.ts';
import type { Finding } from '../exoml/finding.ts';

export type { Finding, HttpMethod };

export type SimRequest = {
  method: HttpMethod;
  /** The URL as configured or found in the ExoML, its own query string kept. */
  url: string;
  /** What the simulator adds: query parameters (GET) or the form body (POST). */
  params: Record<string, string>;
};

type SimResponse = {
  status: number;
  contentType: string;
  location?: string;
  /** The body as text (decoded leniently; the validator sees the bytes). */
  body: string;
  ms: number;
};

/** Keys the caller pressed on one Gather. `digits` is what is sent: finish key stripped, numDigits honoured. */
export type GatherInput =
  | { kind: 'keys'; pressed: string; digits: string; endedBy: 'finishOnKey' | 'numDigits' | 'timeout'; ignored: string; source: InputSource }
  | { kind: 'no-input'; source: InputSource };

export type InputSource = 'digits' | 'no-input' | 'keypad' | 'digits-exhausted' | 'hangup';

/**
 * What the caller calls the inputs a transcript refers to: the time budget, the step limit, the digit groups and
 * pressing nothing. The CLI passes its flags (`--timeout` …); without a name the text does without the reference.
 */
export type InputNames = { timeout?: string; maxSteps?: string; digits?: string; noInput?: string };

type At = { line: number; path: string };

export type PlayedSay = At & { verb: 'Say'; text: string; language?: string; voice?: string; loop?: string };
type PlayedPlay = At & { verb: 'Play'; url: string; loop?: string };
export type PlayedPrompt = PlayedSay | PlayedPlay;
export type PlayedGather = At & {
  verb: 'Gather';
  numDigits?: number;
  timeout: number;
  finishOnKey: string;
  action: string;
  method: HttpMethod;
  prompts: PlayedPrompt[];
  input?: GatherInput;
};
export type PlayedDial = At & { verb: 'Dial'; numbers: string[]; callerId?: string; action?: string; method: HttpMethod; timeout?: string };
export type PlayedRecord = At & { verb: 'Record'; action?: string; method: HttpMethod; maxLength?: string; finishOnKey?: string };
type PlayedRedirect = At & { verb: 'Redirect'; url: string; method: HttpMethod };
type PlayedHangup = At & { verb: 'Hangup' };
type PlayedPause = At & { verb: 'Pause'; length?: string };
type PlayedOther = At & { verb: 'Other'; name: string };

export type PlayedVerb = PlayedPrompt | PlayedGather | PlayedDial | PlayedRecord | PlayedRedirect | PlayedHangup | PlayedPause | PlayedOther;

export type Step = {
  request: SimRequest;
  response?: SimResponse;
  /** The exchange failed before a response (timeout, refused, reset, too large). */
  error?: string;
  findings: Finding[];
  verbs: PlayedVerb[];
};

type EndKind = 'dial' | 'hangup' | 'no-input' | 'error';

/**
 * How a simulated call ended, seen from the phone line. Not the bot's business `Outcome` (src/domain/call.ts):
 * a call that ends in `hangup` here may be `declined` or `no_input` there.
 */
export type CallEnding = {
  kind: EndKind;
  /** dial: the number(s) dialled and the callerId shown. */
  number?: string;
  numbers?: string[];
  callerId?: string;
  /** Why the call ended (end of document, the error, …). */
  reason?: string;
  /** error: the server did not accept a connection (exit 3). */
  unreachable?: boolean;
  /** error: the server took the connection but gave no complete answer within the budget (exit 3 too). */
  silent?: boolean;
};

/** The transcript as it unfolds, in order; the CLI prints each event as it arrives. */
export type CallEvent =
  | { type: 'step'; step: Step; index: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'verb'; verb: PlayedVerb; depth: number }
  | { type: 'input'; verb: PlayedGather; input: GatherInput }
  | { type: 'note'; text: string; level: 'info' | 'warning' };

export type CallRecord = {
  url: string;
  callSid: string;
  steps: Step[];
  events: CallEvent[];
  /** Named `outcome` in the `--json` document, which keeps its field names. */
  outcome: CallEnding;
};
