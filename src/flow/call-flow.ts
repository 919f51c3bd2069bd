/**
 * The bundled bot's call flow, pure: greeting → menu (press 1) → agent / goodbye, with one re-prompt on no
 * input. Each step returns the verbs to speak; the server turns them into ExoML with the typed builder.
 */
import type { Outcome } from '../domain/call.ts';
import type { Customer } from '../domain/customer.ts';
import type { DialVerb, GatherVerb, SayVerb, Verb } from '../exoml/build.ts';
import { formatRupees } from '../exotel/customer.ts';
import { LANGUAGE_CODES, toBcp47, type LanguageCode } from '../exotel/language.ts';
import { renderTemplate, type PromptCatalog, type PromptKey, type PromptValues } from './prompts.ts';

const GATHER_TIMEOUT_SECONDS = 10;
const DIAL_TIMEOUT_SECONDS = 30;
/** The greeting's Gather is attempt 1; one re-prompt (attempt 2), then goodbye. */
export const MAX_ATTEMPTS = 2;

export type FlowSettings = {
  prompts: PromptCatalog;
  brandName: string;
  botName: string;
  agentNumber: string;
  exophone: string;
};

// Building an Intl formatter costs far more than using one (it was a fifth of the Passthru handler's CPU), so
// there is one per language, made once.
const DATE_FORMATS: ReadonlyMap<LanguageCode, Intl.DateTimeFormat> = new Map(
  LANGUAGE_CODES.map((code) => [code, new Intl.DateTimeFormat(toBcp47(code), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })]),
);

/** `2025-08-11` → "11 August 2025" in the customer's language (Intl, full ICU in Node). */
export function spokenDate(iso: string, language: LanguageCode): string {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return (DATE_FORMATS.get(language) as Intl.DateTimeFormat).format(date);
}

function values(settings: FlowSettings, language: LanguageCode, customer: Customer | undefined): PromptValues {
  return {
    name: customer?.customer_name,
    bot: settings.botName,
    brand: settings.brandName,
    loan_id: customer?.loan_id,
    amount: customer?.amount === undefined ? undefined : formatRupees(customer.amount),
    due_date: customer?.due_date === undefined ? undefined : spokenDate(customer.due_date, language),
  };
}

function say(settings: FlowSettings, language: LanguageCode, key: PromptKey, vals: PromptValues): SayVerb | undefined {
  const text = renderTemplate(settings.prompts[language][key], vals);
  return text === undefined ? undefined : { verb: 'Say', voice: 'woman', language, text };
}

function sayAlways(settings: FlowSettings, language: LanguageCode, key: PromptKey, vals: PromptValues): SayVerb {
  return say(settings, language, key, vals) ?? say(settings, 'en', key, vals) ?? { verb: 'Say', voice: 'woman', language, text: key };
}

function menu(settings: FlowSettings, language: LanguageCode, key: 'menu' | 'reprompt', actionUrl: string): GatherVerb {
  return {
    verb: 'Gather',
    action: actionUrl,
    method: 'POST',
    numDigits: 1,
    timeout: GATHER_TIMEOUT_SECONDS,
    finishOnKey: '#',
    prompts: [sayAlways(settings, language, key, {})],
  };
}

export type GreetingInput = {
  customer: Customer | undefined;
  language: LanguageCode;
  /** Absolute URL the Gather posts the digit to. */
  actionUrl: string;
  /** Where the call goes when the caller presses nothing (the same handler, marked as no input). */
  noInputUrl: string;
};

/** Passthru: greeting (name, loan, amount, due date) + Gather menu + fallback Redirect on no input. */
export function greetingVerbs(settings: FlowSettings, input: GreetingInput): Verb[] {
  const vals = values(settings, input.language, input.customer);
  const verbs: Verb[] = [
    say(settings, input.language, 'greeting', vals) ?? sayAlways(settings, input.language, 'greetingNoName', vals),
  ];
  const reminder = say(settings, input.language, 'reminder', vals) ?? say(settings, input.language, 'reminderNoLoan', vals);
  if (reminder) {
    verbs.push(reminder);
    const due = say(settings, input.language, 'dueOn', vals);
    if (due) verbs.push(due);
  }
  verbs.push(menu(settings, input.language, 'menu', input.actionUrl));
  verbs.push({ verb: 'Redirect', method: 'POST', url: input.noInputUrl });
  return verbs;
}

export type MenuDecision =
  | { kind: 'transfer'; outcome: Outcome; verbs: Verb[] }
  | { kind: 'declined'; outcome: Outcome; verbs: Verb[] }
  | { kind: 'reprompt'; verbs: Verb[] }
  | { kind: 'no_input'; outcome: Outcome; verbs: Verb[] };

export type MenuInput = {
  language: LanguageCode;
  /** Keys pressed, already normalised; '' or undefined = no input. */
  digits: string | undefined;
  /** Gather prompts already played (1 after the greeting). */
  attempts: number;
  actionUrl: string;
  noInputUrl: string;
};

/** Gather response: 1 → Dial the agent; other keys → thank you + Hangup; nothing → re-prompt once, then goodbye. */
export function menuVerbs(settings: FlowSettings, input: MenuInput): MenuDecision {
  const { language } = input;
  if (input.digits === undefined || input.digits === '') {
    if (input.attempts < MAX_ATTEMPTS) {
      return {
        kind: 'reprompt',
        verbs: [menu(settings, language, 'reprompt', input.actionUrl), { verb: 'Redirect', method: 'POST', url: input.noInputUrl }],
      };
    }
    return { kind: 'no_input', outcome: 'no_input', verbs: [sayAlways(settings, language, 'noInput', {}), { verb: 'Hangup' }] };
  }
  if (input.digits === '1') {
    const dial: DialVerb = {
      verb: 'Dial',
      callerId: settings.exophone,
      timeout: DIAL_TIMEOUT_SECONDS,
      numbers: [settings.agentNumber],
    };
    return {
      kind: 'transfer',
      outcome: 'agent_transfer',
      verbs: [sayAlways(settings, language, 'transfer', {}), dial, sayAlways(settings, language, 'agentUnavailable', {}), { verb: 'Hangup' }],
    };
  }
  return { kind: 'declined', outcome: 'declined', verbs: [sayAlways(settings, language, 'goodbye', {}), { verb: 'Hangup' }] };
}

/** What the caller hears when the request itself is broken: still valid ExoML, never a stack trace. */
export function errorVerbs(settings: FlowSettings, language: LanguageCode): Verb[] {
  return [sayAlways(settings, language, 'error', {}), { verb: 'Hangup' }];
}
