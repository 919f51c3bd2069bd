/**
 * A recorded scenario with the caller's personal data taken out, so a file made from real calls can be shared and
 * committed: every phone number becomes a placeholder (`+919000000001`, then `…002`, the same number the same
 * placeholder throughout the file, written in the shape it came in: `0…`, `+91…`, ten digits) and the customer's
 * name becomes `Customer A`. The file still replays green: the server is sent the placeholders, so it says them
 * back. What cannot be replaced without breaking the replay is left out instead: a Say that speaks a number the
 * caller did not send (the agent's, say) or a part of the name the bot reworded, and `dial:` (the number dialled is
 * the server's own setting, which a replay cannot be told). Pure.
 */
import { normalizePhoneIN } from '../exotel/phone.ts';
import type { ScenarioDocument } from './record.ts';

const NAME_PLACEHOLDER = 'Customer A';

/** Phone-shaped runs of digits, not glued to letters or other digits (CallSids and loan ids stay). */
const PHONE_TOKEN = /(?<![\w+])\+?\d{10,13}(?!\w)/g;
/** Numbers written with spaces or dashes inside, which a placeholder could not stand in for digit by digit. */
const SPACED_PHONE = /(?<![\w+])\+?\d[\d -]{8,16}\d(?!\w)/g;

type Phones = { map: Map<string, string>; add: boolean };

function placeholderFor(e164: string, phones: Phones): string | undefined {
  const known = phones.map.get(e164);
  if (known !== undefined || !phones.add) return known;
  const made = `+919${String(phones.map.size + 1).padStart(9, '0')}`;
  phones.map.set(e164, made);
  return made;
}

/** `made` (E.164) written the way `token` was: `+91…`, `0091…`, `91…`, `0…` or the bare ten digits. */
function shaped(token: string, made: string): string {
  const ten = made.slice(3);
  const prefix = token.length > 10 ? token.slice(0, token.length - 10) : '';
  return ['+91', '0091', '91', '0', ''].includes(prefix) ? `${prefix}${ten}` : made;
}

/** The text with each Indian phone number replaced; undefined when one has no placeholder and may not get one. */
function replacePhones(text: string, phones: Phones): string | undefined {
  let missing = false;
  const out = text.replace(PHONE_TOKEN, (token) => {
    const e164 = normalizePhoneIN(token);
    if (e164 === undefined) return token;
    const made = placeholderFor(e164, phones);
    if (made === undefined) missing = true;
    return made === undefined ? token : shaped(token, made);
  });
  if (missing) return undefined;
  const spaced = [...out.matchAll(SPACED_PHONE)].some((m) => /[ -]/.test(m[0]) && normalizePhoneIN(m[0]) !== undefined);
  if (spaced && !phones.add) return undefined;
  return out;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name replaced; undefined when a word of it is still there (the bot said it some other way). */
function replaceName(text: string, name: string | undefined): string | undefined {
  if (name === undefined || name.trim() === '') return text;
  const whole = new RegExp(escapeRegExp(name.trim()).replace(/\s+/g, '\\s+'), 'giu');
  const out = text.replace(whole, NAME_PLACEHOLDER);
  const words = name.split(/\s+/).filter((w) => w.length > 1);
  const left = words.some((w) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}(?![\\p{L}\\p{N}])`, 'iu').test(out));
  return left ? undefined : out;
}

function redactValues(values: Record<string, string>, phones: Phones): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, replacePhones(v, phones) ?? v]));
}

export function redactScenario(doc: ScenarioDocument): ScenarioDocument {
  // First what the caller sent: each number found there gets its placeholder.
  const phones: Phones = { map: new Map(), add: true };
  const name = doc.customer.customer_name;
  const customer = redactValues(doc.customer, phones);
  if (name !== undefined) customer.customer_name = NAME_PLACEHOLDER;
  const call = doc.call === undefined ? undefined : { ...doc.call };
  if (call !== undefined) {
    for (const key of ['from', 'to'] as const)
      if (typeof call[key] === 'string') call[key] = replacePhones(call[key], phones) ?? call[key];
    if (call.params !== undefined) call.params = redactValues(call.params as Record<string, string>, phones);
  }
  const pressed = doc.steps.map((step) =>
    'press' in step ? { press: replacePhones(step.press, phones) ?? step.press } : step,
  );
  // Then what the server answered: only numbers the caller sent may be replaced, since only those come back.
  const answered: Phones = { map: phones.map, add: false };
  const steps = pressed.map((step) => {
    if (!('expect' in step)) return step;
    const expect = { ...step.expect };
    delete expect.dial;
    if (Array.isArray(expect.say)) {
      const said = (expect.say as string[]).flatMap((text) => {
        const named = replaceName(text, name);
        const out = named === undefined ? undefined : replacePhones(named, answered);
        return out === undefined ? [] : [out];
      });
      if (said.length > 0) expect.say = said;
      else delete expect.say;
    }
    return { expect };
  });
  return { ...doc, customer, ...(call !== undefined ? { call } : {}), steps };
}
