/**
 * Expectations turn a simulated call into a smoke check. Each is judged on the transcript:
 * `dial` (a Dial was played), `dial:<number>` (to that number), `hangup` (the call ended by hanging up),
 * `no-input` (the caller never pressed a key and the call ended without error), `say:<text>` (something
 * said contains the text, case-insensitively). The CLI parses them from `--expect`. Pure.
 */
import { normalizePhoneIN } from '../exotel/phone.ts';
import type { CallRecord, PlayedDial, PlayedGather, PlayedSay, PlayedVerb } from './types.ts';

export type Expectation = { raw: string } & ({ kind: 'dial' | 'hangup' | 'no-input' } | { kind: 'dial-number' | 'say'; value: string });

export type ExpectationResult = { expect: string; ok: boolean; detail: string };

export const EXPECT_FORMS = ['dial', 'dial:<number>', 'hangup', 'no-input', 'say:<text>'] as const;

function allVerbs(record: CallRecord): PlayedVerb[] {
  return record.steps.flatMap((step) => step.verbs.flatMap((verb): PlayedVerb[] => (verb.verb === 'Gather' ? [verb, ...verb.prompts] : [verb])));
}

export const samePhone = (a: string, b: string) => {
  const na = normalizePhoneIN(a);
  return na !== undefined ? na === normalizePhoneIN(b) : a.replace(/\s/g, '') === b.replace(/\s/g, '');
};

const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

function outcomeText(record: CallRecord): string {
  const o = record.outcome;
  return o.kind === 'dial' ? `dial ${o.number ?? ''}` : o.kind === 'error' ? `error (${o.reason ?? ''})` : o.kind;
}

function judge(expectation: Expectation, record: CallRecord): { ok: boolean; detail: string } {
  const verbs = allVerbs(record);
  const dials = verbs.filter((v): v is PlayedDial => v.verb === 'Dial');
  const outcome = `outcome: ${outcomeText(record)}`;
  switch (expectation.kind) {
    case 'dial':
      return dials.length > 0 ? { ok: true, detail: `Dial ${dials[0]?.numbers.join(', ')}` } : { ok: false, detail: `no Dial was played; ${outcome}` };
    case 'dial-number': {
      const hit = dials.some((d) => d.numbers.some((n) => samePhone(n, expectation.value)));
      const seen = dials.length > 0 ? `Dial ${dials.map((d) => d.numbers.join(', ')).join('; ')}` : 'no Dial was played';
      return { ok: hit, detail: hit ? `Dial ${expectation.value}` : `${seen}; ${outcome}` };
    }
    case 'hangup':
      return { ok: record.outcome.kind === 'hangup', detail: outcome };
    case 'no-input': {
      const gathers = verbs.filter((v): v is PlayedGather => v.verb === 'Gather');
      const silent = gathers.length > 0 && gathers.every((g) => g.input?.kind !== 'keys');
      const ok = silent && record.outcome.kind !== 'error';
      return { ok, detail: gathers.length === 0 ? `no Gather was played; ${outcome}` : silent ? outcome : `keys were pressed; ${outcome}` };
    }
    case 'say': {
      const said = verbs.filter((v): v is PlayedSay => v.verb === 'Say').find((v) => flat(v.text).includes(flat(expectation.value)));
      return said ? { ok: true, detail: `said "${said.text}"` } : { ok: false, detail: `nothing said contains "${expectation.value}"` };
    }
  }
}

export function evaluateExpectations(expectations: readonly Expectation[], record: CallRecord): ExpectationResult[] {
  return expectations.map((expectation) => ({ expect: expectation.raw, ...judge(expectation, record) }));
}
