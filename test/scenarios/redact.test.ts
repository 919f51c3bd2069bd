/**
 * Redaction of a recorded scenario (src/scenarios/redact.ts), as a property over generated callers: whatever the
 * number's shape (`0…`, `+91…`, `91…`, ten digits) and wherever it appears (customer, call, parameters, a press,
 * what the bot said), and whatever the name, the redacted document holds neither; one number is one placeholder
 * throughout; a Say that speaks a number the caller never sent is left out rather than kept or rewritten.
 * The seed is fixed, so every run checks the same callers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ScenarioDocument } from '../../src/scenarios/record.ts';
import { redactScenario } from '../../src/scenarios/redact.ts';

const SEED = 20_251_130;

const mobile = fc
  .tuple(fc.constantFrom('6', '7', '8', '9'), fc.stringMatching(/^[0-9]{9}$/))
  .map(([first, rest]) => `${first}${rest}`);
const shaped = fc
  .tuple(mobile, fc.constantFrom('0', '+91', '91', ''))
  .map(([ten, prefix]) => ({ ten, text: `${prefix}${ten}` }));
const word = fc.stringMatching(/^[A-Z][a-z]{2,9}$/);
const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));

function documentOf(caller: { ten: string; text: string }, agent: string, fullName: string): ScenarioDocument {
  return {
    name: 'recorded',
    url: 'http://127.0.0.1:8000/passthru-handler',
    customer: { customer_id: 'c1', customer_name: fullName, phone: `+91${caller.ten}` },
    call: { from: caller.text, to: '08047112233', params: { DialWhomNumber: `0${agent}` } },
    steps: [
      { expect: { say: [`Hello ${fullName}, this is Priya.`, `We will call you on ${caller.text}.`] } },
      { press: caller.ten },
      {
        expect: { say: [`Connecting you to 0${agent}.`, 'Please hold.'], dial: `+91${agent}`, verbs: ['Say', 'Dial'] },
      },
    ],
  };
}

describe('redactScenario', () => {
  it('leaves no phone number and no part of the name, and one number is one placeholder', () => {
    fc.assert(
      fc.property(shaped, mobile, name, (caller, agent, fullName) => {
        // A name whose words occur in the rest of the document (or in the placeholder) cannot be told apart there.
        const rest = `${JSON.stringify(documentOf(caller, agent, '~'))} Customer A`.toLowerCase();
        fc.pre(caller.ten !== agent && fullName.split(' ').every((part) => !rest.includes(part.toLowerCase())));
        const redacted = redactScenario(documentOf(caller, agent, fullName));
        const text = JSON.stringify(redacted);
        assert.ok(!text.includes(caller.ten), text);
        assert.ok(!text.includes(agent), text);
        for (const part of fullName.split(' ')) assert.ok(!text.includes(part), `${part} in ${text}`);
        const placeholder = (redacted.customer.phone ?? '').slice(3);
        assert.match(placeholder, /^9000000\d{3}$/);
        assert.equal(redacted.call?.from, caller.text.replace(caller.ten, placeholder));
        assert.deepEqual(redacted.steps[1], { press: placeholder });
        const [first, , last] = redacted.steps as Array<{ expect: { say?: string[]; dial?: string } }>;
        assert.deepEqual(first?.expect.say, [
          'Hello Customer A, this is Priya.',
          `We will call you on ${caller.text.replace(caller.ten, placeholder)}.`,
        ]);
        // The agent's number came in a parameter, so its Say is rewritten; dial: is always left out.
        assert.equal(last?.expect.dial, undefined);
        assert.equal(last?.expect.say?.length, 2);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('leaves out a Say that speaks a number the caller never sent, and a name the bot said another way', () => {
    const doc = documentOf({ ten: '9812312345', text: '09812312345' }, '7417119014', 'Meera Iyer');
    doc.steps.push({ expect: { say: ['Our helpline is 08012345678.', 'Thank you, Meera.', 'Goodbye.'] } });
    const redacted = redactScenario(doc);
    assert.deepEqual(redacted.steps.at(-1), { expect: { say: ['Goodbye.'] } });
    assert.doesNotMatch(JSON.stringify(redacted), /Meera|Iyer|9812312345|7417119014|8012345678/);
  });
});
