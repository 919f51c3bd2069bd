import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildExoml } from '../../src/exoml/build.ts';
import { LANGUAGE_CODES } from '../../src/exotel/language.ts';
import { greetingVerbs, menuVerbs, spokenDate, type FlowSettings } from '../../src/flow/call-flow.ts';
import { loadPrompts, renderTemplate } from '../../src/flow/prompts.ts';
import { UsageError } from '../../src/errors.ts';
import { parseResponse } from '../support/exoml.ts';

let settings: FlowSettings;
before(async () => {
  settings = {
    prompts: await loadPrompts(),
    brandName: 'Demo Finance',
    botName: 'Priya',
    agentNumber: '+919812345678',
    exophone: '08047112233',
  };
});

const customer = {
  customer_id: 'c1',
  customer_name: 'Riddhi Mittal',
  loan_id: 'LOAN12345',
  amount: 15000,
  due_date: '2025-08-11',
};
const url = 'https://bot.example.com/gather-response?CallSid=x';

describe('call flow', () => {
  for (const language of LANGUAGE_CODES) {
    it(`greets in ${language} with name, loan, amount and due date, in well-formed ExoML`, () => {
      const verbs = greetingVerbs(settings, { customer, language, actionUrl: url, noInputUrl: url });
      const root = parseResponse(buildExoml(verbs));
      assert.deepEqual(
        root.children.map((c) => c.name),
        ['Say', 'Say', 'Say', 'Gather', 'Redirect'],
      );
      assert.ok(root.children[0]?.text.includes('Riddhi Mittal'));
      assert.ok(root.children[1]?.text.includes('LOAN12345'));
      assert.ok(root.children[1]?.text.includes('15,000'));
      for (const say of root.children.filter((c) => c.name === 'Say')) {
        assert.equal(say.attrs.language, language);
        assert.equal(say.attrs.voice, 'woman');
        assert.doesNotMatch(say.text, /\{[a-z_]+\}/, 'no unrendered placeholder');
      }
    });
  }

  it('without a name or loan id: the anonymous greeting and the amount alone', () => {
    const verbs = greetingVerbs(settings, {
      customer: { customer_id: 'c2', amount: 999.5 },
      language: 'en',
      actionUrl: url,
      noInputUrl: url,
    });
    const texts = verbs.filter((v) => v.verb === 'Say').map((v) => (v.verb === 'Say' ? v.text : ''));
    assert.match(texts[0] ?? '', /^Hello, this is Priya calling from Demo Finance/);
    assert.match(texts[1] ?? '', /999\.50 rupees/);
    assert.equal(texts.length, 2, 'no due-date sentence without a due date');
  });

  it('menu: 1 → Dial the agent with callerId, other keys → goodbye, none → re-prompt then no_input', () => {
    const transfer = menuVerbs(settings, { language: 'hi', digits: '1', attempts: 1, actionUrl: url, noInputUrl: url });
    assert.equal(transfer.kind, 'transfer');
    const dial = transfer.verbs.find((v) => v.verb === 'Dial');
    assert.ok(dial && dial.verb === 'Dial');
    assert.deepEqual(dial.numbers, ['+919812345678']);
    assert.equal(dial.callerId, '08047112233');
    assert.equal(dial.timeout, 30);
    assert.equal(
      menuVerbs(settings, { language: 'hi', digits: '9', attempts: 1, actionUrl: url, noInputUrl: url }).kind,
      'declined',
    );
    assert.equal(
      menuVerbs(settings, { language: 'hi', digits: '', attempts: 1, actionUrl: url, noInputUrl: url }).kind,
      'reprompt',
    );
    assert.equal(
      menuVerbs(settings, { language: 'hi', digits: undefined, attempts: 2, actionUrl: url, noInputUrl: url }).kind,
      'no_input',
    );
  });

  it('speaks dates in the customer language', () => {
    assert.equal(spokenDate('2025-08-11', 'en'), '11 August 2025');
    assert.match(spokenDate('2025-08-11', 'hi'), /अगस्त/);
  });

  it('speaks the date in every language but English without an English month (Odia is od-IN to TTS, or to Intl)', () => {
    assert.match(spokenDate('2025-08-11', 'or'), /ଅଗଷ୍ଟ/);
    for (const code of LANGUAGE_CODES.filter((c) => c !== 'en')) {
      assert.doesNotMatch(spokenDate('2025-08-11', code), /August/, code);
    }
  });
});

describe('prompts', () => {
  it('renderTemplate skips a sentence with an unknown value', () => {
    assert.equal(renderTemplate('Loan {loan_id}.', {}), undefined);
    assert.equal(renderTemplate('Loan {loan_id}.', { loan_id: 'L1' }), 'Loan L1.');
  });

  it('a --prompts-dir overrides single keys and rejects unknown keys and placeholders at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prompts-'));
    try {
      await writeFile(join(dir, 'hi.json'), JSON.stringify({ menu: 'एजेंट के लिए 1 दबाइए, {name}।' }));
      const catalog = await loadPrompts(dir);
      assert.equal(catalog.hi.menu, 'एजेंट के लिए 1 दबाइए, {name}।');
      assert.equal(catalog.hi.goodbye, settings.prompts.hi.goodbye);
      await writeFile(join(dir, 'ta.json'), JSON.stringify({ menuu: 'x' }));
      await assert.rejects(
        loadPrompts(dir),
        (e: unknown) => e instanceof UsageError && /unknown prompt "menuu"/.test(e.message),
      );
      await writeFile(join(dir, 'ta.json'), JSON.stringify({ menu: 'press {digit}' }));
      await assert.rejects(
        loadPrompts(dir),
        (e: unknown) => e instanceof UsageError && /unknown placeholder \{digit\}/.test(e.message),
      );
      await writeFile(join(dir, 'ta.json'), '{not json');
      await assert.rejects(
        loadPrompts(dir),
        (e: unknown) => e instanceof UsageError && /not valid JSON/.test(e.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
