/**
 * The bot's vocabulary for one call: how it ended for the business (`Outcome`), where the conversation stands
 * (`CallState`), and the per-call record the server keeps between the two webhooks (`CallSession`). Storage
 * ports, the flow, the server and inspect all speak these types. Pure: types and constants only.
 */
import type { LanguageCode } from '../exotel/language.ts';
import type { Customer } from './customer.ts';

/** The bot's business outcome of a call (the history's `outcome` column allows exactly these). */
export const OUTCOMES = ['agent_transfer', 'declined', 'no_input', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const CALL_STATES = ['greeted', 'reprompted', 'transferring', 'ended', 'error'] as const;
type CallState = (typeof CALL_STATES)[number];

/** What Redis (or memory) keeps per call, as one JSON value under `<prefix><CallSid>`. */
export type CallSession = {
  callSid: string;
  customer?: Customer;
  language: LanguageCode;
  state: CallState;
  /** Gather prompts played so far (1 after the greeting, 2 after the re-prompt). */
  attempts: number;
  digits?: string;
  digitSource?: string;
  outcome?: Outcome;
  from?: string;
  to?: string;
  createdAt: string;
  updatedAt: string;
};
