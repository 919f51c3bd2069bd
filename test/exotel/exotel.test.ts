import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createCallSid, formatIst } from '../../src/exotel/call.ts';
import { decodeCustomField, encodeCustomField, encodeCustomFieldPipe } from '../../src/exotel/custom-field.ts';
import { CUSTOMER_FIELDS, customerFieldValues, parseAmount, parseDueDate } from '../../src/exotel/customer.ts';
import { normalizeDigits, readDigits, stripFinishKey } from '../../src/exotel/digits.ts';
import { chooseLanguage, languageForState, parseLanguageCode } from '../../src/exotel/language.ts';
import { maskPhone, normalizeMobileIN, normalizePhoneIN } from '../../src/exotel/phone.ts';
import { escapeAttribute, escapeText } from '../../src/exoml/build.ts';

describe('digits', () => {
  it('strips the double quotes Exotel Passthru wraps digits in', () => {
    assert.equal(normalizeDigits('"1"'), '1');
    assert.equal(normalizeDigits(' "12" '), '12');
    assert.equal(normalizeDigits('""'), '');
    assert.equal(normalizeDigits('1'), '1');
  });
  it('reads digits, DigitsPressed or Digits — in that order — and flags junk', () => {
    assert.deepEqual(readDigits({ digits: '"3"' }), { digits: '3', source: 'digits', invalid: false });
    assert.deepEqual(readDigits({ DigitsPressed: '1' }), { digits: '1', source: 'DigitsPressed', invalid: false });
    assert.deepEqual(readDigits({ Digits: '2' }), { digits: '2', source: 'Digits', invalid: false });
    assert.deepEqual(readDigits({}), { digits: undefined, source: undefined, invalid: false });
    assert.equal(readDigits({ Digits: '1; DROP' }).invalid, true);
    assert.equal(stripFinishKey('12#'), '12');
  });
});

describe('language', () => {
  it('accepts short and BCP-47 codes, Odia as od or or', () => {
    assert.equal(parseLanguageCode('hi-IN'), 'hi');
    assert.equal(parseLanguageCode('TA_in'), 'ta');
    assert.equal(parseLanguageCode('od-IN'), 'or');
    assert.equal(parseLanguageCode('or'), 'or');
    assert.equal(parseLanguageCode('hi-US'), undefined);
    assert.equal(parseLanguageCode('xx'), undefined);
  });
  it('maps states with aliases, unknown → English with a warning', () => {
    for (const [state, lang] of [
      ['Orissa', 'or'],
      ['Pondicherry', 'ta'],
      ['NCT of Delhi', 'hi'],
      ['UP', 'hi'],
      ['TN', 'ta'],
      ['west bengal', 'bn'],
      ['Telangana', 'te'],
    ] as const) {
      assert.equal(languageForState(state), lang, state);
    }
    assert.deepEqual(chooseLanguage(undefined, 'Atlantis'), {
      code: 'en',
      source: 'default',
      warning: 'unknown state "Atlantis"',
    });
    assert.equal(chooseLanguage('zz', 'Kerala').code, 'ml');
  });
});

describe('phone', () => {
  it('normalises Indian mobiles to E.164 and rejects the rest', () => {
    for (const raw of ['9876543210', '09876543210', '919876543210', '+91 98765-43210', '0091 9876543210'])
      assert.equal(normalizeMobileIN(raw), '+919876543210', raw);
    for (const raw of ['987654321', '5876543210', '+1 415 555 0100', 'abc'])
      assert.equal(normalizeMobileIN(raw), undefined, raw);
    assert.equal(normalizePhoneIN('04446972509'), '+914446972509');
  });
  it('masks phone-shaped tokens but not ids', () => {
    assert.equal(maskPhone('From=+919876543210'), 'From=+91******3210');
    assert.equal(maskPhone('CallSid=abc9876543210'), 'CallSid=abc9876543210');
  });
});

describe('customer values', () => {
  it('amounts: ₹, commas, /- stripped; junk and ≤ 0 rejected', () => {
    assert.deepEqual(parseAmount('₹15,000/-'), { ok: true, value: 15000 });
    assert.deepEqual(parseAmount('Rs. 1,250.50'), { ok: true, value: 1250.5 });
    assert.deepEqual(parseAmount('15k'), { ok: false, reason: 'amount_not_numeric' });
    assert.deepEqual(parseAmount('0'), { ok: false, reason: 'amount_not_positive' });
  });
  it('due dates: ISO, DD/MM/YYYY, DD-MM-YYYY; impossible dates rejected', () => {
    assert.deepEqual(parseDueDate('11/08/2025'), { ok: true, value: '2025-08-11' });
    assert.deepEqual(parseDueDate('2025-08-11'), { ok: true, value: '2025-08-11' });
    assert.deepEqual(parseDueDate('31-02-2025'), { ok: false, reason: 'date_invalid' });
  });
  it('the common spellings of amounts and dates read as the general rules read them', () => {
    // The general rules, as written before the common spellings got a path without regular expressions.
    const generalAmount = (input: string) => {
      const negative = input.trim().startsWith('-');
      const cleaned = input
        .trim()
        .replace(/^-\s*/, '')
        .replace(/^(?:₹|rs\.?|inr)\s*/i, '')
        .replace(/\/-$/, '')
        .replace(/,/g, '')
        .trim();
      if (!/^[0-9]+(?:\.[0-9]{1,2})?$/.test(cleaned)) return { ok: false, reason: 'amount_not_numeric' };
      const value = Number(cleaned);
      if (negative || !Number.isFinite(value) || value <= 0) return { ok: false, reason: 'amount_not_positive' };
      if (value > 999_999_999_999.99) return { ok: false, reason: 'amount_too_large' };
      return { ok: true, value };
    };
    const generalDate = (input: string) => {
      const text = input.trim();
      const iso = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(text);
      const dayFirst = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$/.exec(text);
      const short = (year: string) => (year.length === 2 ? 2000 + Number(year) : Number(year));
      const [year, month, day] = iso
        ? [Number(iso[1]), Number(iso[3]), Number(iso[4])]
        : dayFirst
          ? [short(dayFirst[4] ?? ''), Number(dayFirst[3]), Number(dayFirst[1])]
          : [0, 0, 0];
      const days = new Date(Date.UTC(2000, month, 0)).getUTCDate();
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const inMonth = month === 2 ? (leap ? 29 : 28) : days;
      if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > inMonth)
        return { ok: false, reason: 'date_invalid' };
      return { ok: true, value: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
    };
    const text = (chars: string, max: number) =>
      fc.array(fc.constantFrom(...chars), { maxLength: max }).map((list) => list.join(''));
    fc.assert(
      fc.property(text('₹0123456789,./- R', 14), (input) => {
        assert.deepEqual(parseAmount(input), generalAmount(input));
      }),
      { numRuns: 5000 },
    );
    const digits = (min: number, max: number) => text('0123456789', max).filter((d) => d.length >= min);
    const dates = fc.oneof(
      text('0123456789-/. ', 12),
      fc
        .tuple(digits(1, 4), fc.constantFrom('-', '/', '.'), digits(1, 2), fc.constantFrom('-', '/', '.'), digits(1, 4))
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(dates, (input) => {
        assert.deepEqual(parseDueDate(input), generalDate(input), input);
      }),
      { numRuns: 5000 },
    );
  });
  it('customerFieldValues lists every field in CUSTOMER_FIELDS order, absent ones undefined', () => {
    const all = Object.fromEntries(CUSTOMER_FIELDS.map((field) => [field, `v-${field}`]));
    assert.deepEqual(
      customerFieldValues(all, []),
      CUSTOMER_FIELDS.map((field) => `v-${field}`),
    );
    const some = { phone: '+919876543210', customer_id: 'C1', state: 'Kerala' };
    const reused = customerFieldValues(all, []);
    assert.deepEqual(
      customerFieldValues(some, reused),
      CUSTOMER_FIELDS.map((field) => some[field as keyof typeof some]),
    );
  });
});

describe('CustomField', () => {
  it('JSON round trip, and the k=v|k=v form with | and = inside values', () => {
    const input = { customer_id: 'c|1', customer_name: 'राहुल = "R"', amount: '15000' };
    assert.deepEqual(decodeCustomField(encodeCustomField(input)), { ok: true, format: 'json', fields: input });
    assert.deepEqual(decodeCustomField(encodeCustomFieldPipe(input)), { ok: true, format: 'pipe', fields: input });
    assert.equal(decodeCustomField('{oops').ok, false);
    assert.equal(decodeCustomField('[1,2]').ok, false);
    assert.equal(decodeCustomField('novalue').ok, false);
  });
});

describe('call params and escaping', () => {
  it('CallSid is 32 lowercase alphanumerics; IST time format', () => {
    assert.match(createCallSid(), /^[0-9a-z]{32}$/);
    assert.equal(formatIst(new Date('2025-08-11T08:35:09Z')), '2025-08-11 14:05:09');
  });
  it('escapes text and attributes, dropping characters XML cannot carry', () => {
    assert.equal(escapeText('Rao & <Sons>\u0000'), 'Rao &amp; &lt;Sons&gt;');
    assert.equal(escapeAttribute(`a"b'c`), 'a&quot;b&apos;c');
  });
});
