/**
 * The data of one simulated call: what was sent, what came back, what the caller heard and pressed, and how
 * the call ended. Plain data, so `--json` prints it as is and tests assert on it.
 */
export type HttpMethod = 'GET' | 'POST';

/** A finding about one response: from the ExoML validator, or from the simulator itself (`source`). */
export type Finding = {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  line: number;
  column: number;
  path: string;
};

export type SimRequest = {
  method: HttpMethod;
  /** The URL as configured or found in the ExoML, its own query string kept. */
  url: string;
  /** What the simulator adds: query parameters (GET) or the form body (POST). */
  params: Record<string, string>;
};

export type SimResponse = {
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

export type InputSource = 'digits' | 'no-input' | 'keypad' | 'digits-exhausted';

type At = { line: number; path: string };

export type SayVerb = At & { verb: 'Say'; text: string; language?: string; voice?: string; loop?: string };
export type PlayVerb = At & { verb: 'Play'; url: string; loop?: string };
export type PromptVerb = SayVerb | PlayVerb;
export type GatherVerb = At & {
  verb: 'Gather';
  numDigits?: number;
  timeout: number;
  finishOnKey: string;
  action: string;
  method: HttpMethod;
  prompts: PromptVerb[];
  input?: GatherInput;
};
export type DialVerb = At & { verb: 'Dial'; numbers: string[]; callerId?: string; action?: string; method: HttpMethod; timeout?: string };
export type RecordVerb = At & { verb: 'Record'; action?: string; method: HttpMethod; maxLength?: string; finishOnKey?: string };
export type RedirectVerb = At & { verb: 'Redirect'; url: string; method: HttpMethod };
export type HangupVerb = At & { verb: 'Hangup' };
export type PauseVerb = At & { verb: 'Pause'; length?: string };
export type OtherVerb = At & { verb: 'Other'; name: string };

export type PlayedVerb = PromptVerb | GatherVerb | DialVerb | RecordVerb | RedirectVerb | HangupVerb | PauseVerb | OtherVerb;

export type Step = {
  request: SimRequest;
  response?: SimResponse;
  /** The exchange failed before a response (timeout, refused, reset, too large). */
  error?: string;
  findings: Finding[];
  verbs: PlayedVerb[];
};

export type OutcomeKind = 'dial' | 'hangup' | 'no-input' | 'error';

export type Outcome = {
  kind: OutcomeKind;
  /** dial: the number(s) dialled and the callerId shown. */
  number?: string;
  numbers?: string[];
  callerId?: string;
  /** Why the call ended (end of document, the error, …). */
  reason?: string;
  /** error: the server did not accept a connection (exit 3). */
  unreachable?: boolean;
};

/** The transcript as it unfolds, in order; the CLI prints each event as it arrives. */
export type CallEvent =
  | { type: 'step'; step: Step; index: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'verb'; verb: PlayedVerb; depth: number }
  | { type: 'input'; verb: GatherVerb; input: GatherInput }
  | { type: 'note'; text: string; level: 'info' | 'warning' };

export type CallRecord = {
  url: string;
  callSid: string;
  steps: Step[];
  events: CallEvent[];
  outcome: Outcome;
};
