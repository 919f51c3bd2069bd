import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createRowMemo,
  formatAmount,
  normalizeCustomer,
  type RejectReason,
} from '../../src/customers/normalize-row.ts';
import type { CustomerInput } from '../../src/exotel/customer.ts';

const base: CustomerInput = { customer_id: 'C1', customer_name: 'Asha Rao', phone: '9876543210' };
const accept = (extra: CustomerInput) => {
  const result = normalizeCustomer({ ...base, ...extra });
  assert.ok(result.ok, JSON.stringify(result));
  return result;
};

describe('phones', () => {
  const accepted: Array<[string, string]> = [
    ['9876543210', '+919876543210'],
    ['09876543210', '+919876543210'],
    ['919876543210', '+919876543210'],
    ['+919876543210', '+919876543210'],
    ['+91 98765 43210', '+919876543210'],
    ['+91-98765-43210', '+919876543210'],
    ['0091 98765 43210', '+919876543210'],
    ['(+91) 98765-43210', '+919876543210'],
    ['6000000000', '+916000000000'],
  ];
  for (const [input, e164] of accepted) {
    it(`${JSON.stringify(input)} → ${e164}`, () => assert.equal(accept({ phone: input }).customer.phone, e164));
  }
  const rejected: Array<[string, RejectReason]> = [
    ['', 'missing_phone'],
    ['   ', 'missing_phone'],
    ['12345', 'phone_invalid'],
    ['5876543210', 'phone_invalid'],
    ['98765432101', 'phone_invalid'],
    ['+1 415 555 0100', 'phone_invalid'],
    ['98765O4321', 'phone_invalid'],
  ];
  for (const [input, reason] of rejected) {
    it(`${JSON.stringify(input)} → ${reason}`, () => {
      const r = normalizeCustomer({ ...base, phone: input });
      assert.equal(r.ok ? 'accepted' : r.reason, reason);
    });
  }
  it('a rejection carries a message quoting the value', () => {
    const r = normalizeCustomer({ ...base, phone: '12345' });
    assert.match(r.ok ? '' : r.message, /"12345"/);
  });
});

describe('amounts', () => {
  for (const [input, value] of [
    ['15000', '15000'],
    ['₹15,000/-', '15000'],
    ['Rs. 1,250.50', '1250.50'],
    ['INR 999.9', '999.90'],
    ['3,00,000', '300000'],
    [' 100 ', '100'],
  ] as const) {
    it(`${JSON.stringify(input)} → ${value}`, () => assert.equal(accept({ amount: input }).customer.amount, value));
  }
  for (const [input, reason] of [
    ['fifteen', 'amount_not_numeric'],
    ['15k', 'amount_not_numeric'],
    ['1.234', 'amount_not_numeric'],
    ['0', 'amount_not_positive'],
    ['0.00', 'amount_not_positive'],
    ['-500', 'amount_not_positive'],
    ['₹-500', 'amount_not_numeric'],
    ['99999999999999999', 'amount_too_large'],
  ] as const) {
    it(`${JSON.stringify(input)} → ${reason}`, () => {
      const r = normalizeCustomer({ ...base, amount: input });
      assert.equal(r.ok ? 'accepted' : r.reason, reason);
    });
  }
  it('an empty amount is absent, not an error', () => assert.equal(accept({ amount: '' }).customer.amount, undefined));
  it('formatAmount writes what parseAmount reads back', () => {
    assert.equal(formatAmount(15000), '15000');
    assert.equal(formatAmount(1250.5), '1250.50');
    assert.equal(formatAmount(0.01), '0.01');
  });
});

describe('due dates', () => {
  for (const [input, iso] of [
    ['2025-08-11', '2025-08-11'],
    ['11/08/2025', '2025-08-11'],
    ['11-08-2025', '2025-08-11'],
    ['1/8/2025', '2025-08-01'],
    ['29/02/2024', '2024-02-29'],
    ['2025/08/11', '2025-08-11'],
    ['11.08.2025', '2025-08-11'],
    ['11/08/25', '2025-08-11'],
    ['11-Aug-2025', '2025-08-11'],
    ['2025-8-1', '2025-08-01'],
  ] as const) {
    it(`${input} → ${iso}`, () => assert.equal(accept({ due_date: input }).customer.due_date, iso));
  }
  for (const input of [
    '31/02/2025',
    '29/02/2025',
    '2025-13-01',
    '08/31/2025',
    'tomorrow',
    '11-Agu-2025',
    '2025.8/11',
  ]) {
    it(`${input} → date_invalid`, () => {
      const r = normalizeCustomer({ ...base, due_date: input });
      assert.equal(r.ok ? 'accepted' : r.reason, 'date_invalid');
    });
  }
});

describe('languages', () => {
  const cases: Array<[CustomerInput, string, string | undefined]> = [
    [{ language_code: 'ta' }, 'ta-IN', undefined],
    [{ language_code: 'OR-in' }, 'od-IN', undefined],
    [{ language_code: 'od-IN', state: 'Kerala' }, 'od-IN', undefined],
    [{ state: 'Orissa' }, 'od-IN', undefined],
    [{ state: 'NCT of Delhi' }, 'hi-IN', undefined],
    [{ state: 'TN' }, 'ta-IN', undefined],
    [{ language_code: 'klingon', state: 'Karnataka' }, 'kn-IN', 'language_code_invalid'],
    [{ state: 'Atlantis' }, 'en-IN', 'language_defaulted'],
    [{}, 'en-IN', 'language_defaulted'],
  ];
  for (const [input, code, warning] of cases) {
    it(`${JSON.stringify(input)} → ${code}${warning ? ` + ${warning}` : ''}`, () => {
      const result = accept(input);
      assert.equal(result.customer.language_code, code);
      assert.deepEqual(
        result.warnings.map((w) => w.code),
        warning ? [warning] : [],
      );
    });
  }
});

describe('required fields and text', () => {
  it('customer_id and name are required', () => {
    const noId = normalizeCustomer({ ...base, customer_id: ' ' });
    const noName = normalizeCustomer({ ...base, customer_name: '' });
    assert.equal(noId.ok ? '' : noId.reason, 'missing_customer_id');
    assert.equal(noName.ok ? '' : noName.reason, 'missing_name');
  });
  it('collapses whitespace and newlines, trims, and NFC-normalises names', () => {
    assert.equal(accept({ customer_name: '  रिद्धि \r\n मित्तल\t' }).customer.customer_name, 'रिद्धि मित्तल');
    assert.equal(accept({ customer_name: 'Jose\u0301' }).customer.customer_name, 'Jos\u00e9');
    assert.equal(accept({ customer_name: 'Anil\u00a0Kumar' }).customer.customer_name, 'Anil Kumar');
  });
  it('trims one space at either end of a plain ASCII value too (CUST1 and "CUST1 " are one customer)', () => {
    const { customer } = accept({ customer_id: 'CUST1 ', customer_name: ' Asha Rao', loan_id: 'LN-1 ' });
    assert.deepEqual([customer.customer_id, customer.customer_name, customer.loan_id], ['CUST1', 'Asha Rao', 'LN-1']);
  });
  it('any printable ASCII value comes out trimmed with single inner spaces, as the general rule makes it', () => {
    const ascii = fc.stringMatching(/^[\x20-\x7E]{1,40}$/);
    fc.assert(
      fc.property(ascii, (id) => {
        const result = normalizeCustomer({ ...base, customer_id: id });
        const expected = id.replace(/\s+/g, ' ').trim();
        if (expected === '') return !result.ok && result.reason === 'missing_customer_id';
        return result.ok && result.customer.customer_id === expected;
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });
  it('keeps ZWJ/ZWNJ (Indic conjuncts) but rejects C0/C1 controls and bidi overrides', () => {
    assert.equal(accept({ customer_name: 'ക്\u200dഷ' }).customer.customer_name, 'ക്\u200dഷ');
    for (const name of ['A\u0007B', 'A\u0000B', 'A\u009bB', 'abc\u202Eevil', 'x\u2066y', 'lone \ud800']) {
      const r = normalizeCustomer({ ...base, customer_name: name });
      assert.equal(r.ok ? 'accepted' : r.reason, 'control_characters', JSON.stringify(name));
    }
  });
  it('rejects fields longer than serve stores', () => {
    const r = normalizeCustomer({ ...base, customer_id: 'x'.repeat(101) });
    assert.equal(r.ok ? '' : r.reason, 'field_too_long');
    assert.equal(accept({ customer_id: 'x'.repeat(100) }).customer.customer_id.length, 100);
  });
  it('warns about U+FFFD, the mark of a file that is not UTF-8', () => {
    assert.deepEqual(
      accept({ customer_name: 'Ram\uFFFDsh', state: 'Bihar' }).warnings.map((w) => w.code),
      ['invalid_utf8'],
    );
  });
  it('keeps an input temp_call_id; otherwise leaves it to the processor', () => {
    assert.equal(accept({ temp_call_id: 'temp_call_abc' }).customer.temp_call_id, 'temp_call_abc');
    assert.equal(accept({}).customer.temp_call_id, undefined);
  });
});

it('a row memo (url --csv) changes no result, for repeated and new amounts and due dates', () => {
  const memo = createRowMemo();
  // Values that share their start with another, so a memo that confused them would show.
  const amounts = [
    undefined,
    '15000',
    '15000.5',
    '₹1,250.50/-',
    '₹1,250/-',
    '₹ 1,250/-',
    'twelve',
    '-5',
    '1e99',
    ' 15000 ',
    'x\u0001',
    '',
  ];
  const dates = [
    undefined,
    '01/01/2026',
    '01/13/2026',
    '2026-02-28',
    '2026-02-30',
    '31-12-2026',
    'soon',
    '\u202e2026-01-01',
    ' 2026-01-31 ',
  ];
  for (let round = 0; round < 2; round++) {
    for (const amount of amounts) {
      for (const due_date of dates) {
        const raw = { ...base, ...(amount === undefined ? {} : { amount }), ...(due_date ? { due_date } : {}) };
        assert.deepEqual(normalizeCustomer(raw, memo), normalizeCustomer(raw), JSON.stringify(raw));
      }
    }
  }
  assert.ok(memo.amounts.size > 0 && memo.dates.size > 0, 'the memo was used');
});

it('a row memo (url --csv) changes no result, for repeated and new (language_code, state) pairs', () => {
  const memo = createRowMemo();
  const codes = [undefined, 'hi', 'Tamil', 'xx', 'hi-IN'];
  const states = [undefined, 'UP', 'Orissa', 'Atlantis', 'tamil  nadu.'];
  for (let round = 0; round < 2; round++) {
    for (const language_code of codes) {
      for (const state of states) {
        const raw = { ...base, ...(language_code ? { language_code } : {}), ...(state ? { state } : {}) };
        assert.deepEqual(normalizeCustomer(raw, memo), normalizeCustomer(raw), JSON.stringify(raw));
      }
    }
  }
});

it('whitespace in a name in an Indic script (tabs, NBSP, line breaks, runs, either end) folds to single spaces, NFC', () => {
  const piece = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', 'Asha', 'रिद्धि', 'e\u0301', '😀');
  const around = fc.array(piece, { maxLength: 5 });
  fc.assert(
    fc.property(around, around, (before, after) => {
      const name = [...before, 'मित्तल', ...after].join('');
      const expected = name.replace(/\s+/gu, ' ').trim().normalize('NFC');
      const result = normalizeCustomer({ ...base, customer_name: name });
      assert.equal(result.ok ? result.customer.customer_name : result.message, expected);
    }),
    { numRuns: 2000 },
  );
});
