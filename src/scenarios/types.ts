/**
 * A scenario: one call as a file (docs/scenario.schema.json). Who calls, which keys are pressed when, what the
 * caller must hear at each point, and what the bot must have stored afterwards. Plain data, read by parse.ts,
 * played by run.ts over the simulate engine, written by record.ts.
 */
import type { CustomerInput } from '../exotel/customer.ts';
import type { DigitFlavour } from '../simulate/digits.ts';
import type { HttpMethod } from '../simulate/types.ts';

/** Where something was written: file, 1-based line and column. */
export type Position = { file: string; line: number; col: number };

export const SEVERITIES = ['none', 'info', 'warning', 'error'] as const;
type MaxSeverity = (typeof SEVERITIES)[number];

export const GATHER_ATTRS = ['numDigits', 'timeout', 'finishOnKey', 'action', 'method'] as const;
type GatherAttr = (typeof GATHER_ATTRS)[number];

/** What must hold at one point of the call (the part between two inputs). Every key is optional. */
export type StepExpect = {
  status?: number;
  content_type?: string;
  verbs?: string[];
  say?: string[];
  say_matches?: string[];
  language?: string;
  gather?: Partial<Record<GatherAttr, string>>;
  dial?: string;
  hangup?: boolean;
  redirect?: boolean | string;
  max_severity?: MaxSeverity;
  max_latency_ms?: number;
};

export type ScenarioStep = { at: Position } & (
  | { kind: 'expect'; expect: StepExpect }
  | { kind: 'press'; keys: string }
  | { kind: 'no_input' }
  | { kind: 'hangup' }
);

export type CallSettings = {
  from?: string;
  to?: string;
  digit_param?: DigitFlavour;
  method?: HttpMethod;
  params?: Record<string, string>;
};

/** Fields of the session and of the call row, compared as text. */
export type StateExpect = { session?: Record<string, string>; call?: Record<string, string> };

export type Scenario = {
  name: string;
  at: Position;
  url?: string;
  customer?: CustomerInput;
  call?: CallSettings;
  steps: ScenarioStep[];
  state?: StateExpect;
};

/** One comparison: what was expected, what the call did. */
export type Check = { what: string; ok: boolean; expected: string; actual: string };

export type StepResult = { index: number; label: string; line: number; ok: boolean; checks: Check[] };

export type ScenarioResult = {
  name: string;
  file: string;
  line: number;
  ok: boolean;
  steps: StepResult[];
  /** The call could not reach the URL at all (exit 3). */
  unreachable?: string;
  /** How the call ended, in words. */
  ending: string;
  callSid: string;
  ms: number;
};
