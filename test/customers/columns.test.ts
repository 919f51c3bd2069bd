import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseColumnMap } from '../../src/cli/commands/url/flags.ts';
import { describeError } from '../../src/cli/errors.ts';
import { normalizeHeader, planColumns, readRecord } from '../../src/customers/columns.ts';
import { UsageError } from '../../src/errors.ts';

describe('planColumns', () => {
  it('matches headers case-insensitively with aliases, spaces, dashes and dots folded', () => {
    const plan = planColumns(['ID', 'Full Name', 'Mobile-No', 'Loan.No', 'Amount Due', 'DueDate', 'Lang', 'STATE', 'Branch']);
    assert.deepEqual(plan.fields, { customer_id: 0, customer_name: 1, phone: 2, loan_id: 3, amount: 4, due_date: 5, language_code: 6, state: 7 });
    assert.deepEqual(plan.extras, [{ index: 8, name: 'Branch' }]);
    assert.deepEqual(plan.warnings, []);
  });

  it('prefers the canonical name over an alias when a file has both; the other is carried', () => {
    const plan = planColumns(['name', 'customer_name', 'id', 'phone']);
    assert.equal(plan.fields.customer_name, 1);
    assert.deepEqual(plan.extras, [{ index: 0, name: 'name' }]);
  });

  it('--map names any header, and wins over the aliases', () => {
    const map = parseColumnMap(['phone=Contact No', 'name=Borrower']);
    const plan = planColumns(['Cust Code', 'Borrower', 'contact no', 'phone', 'customer_id'], map);
    assert.equal(plan.fields.phone, 2);
    assert.equal(plan.fields.customer_name, 1);
    assert.equal(plan.fields.customer_id, 4);
    // The unmapped "phone" column is carried, renamed so it cannot be mistaken for the normalised phone.
    assert.deepEqual(plan.extras, [
      { index: 0, name: 'Cust Code' },
      { index: 3, name: 'input_phone' },
    ]);
    assert.match(plan.warnings.join('\n'), /"phone" is carried as "input_phone"/);
  });

  it('drops input columns we regenerate (passthru_url, custom_field) with a warning', () => {
    const plan = planColumns(['customer_id', 'name', 'phone', 'passthru_url', 'Custom Field', 'note', 'note']);
    assert.deepEqual(plan.extras, [
      { index: 5, name: 'note' },
      { index: 6, name: 'note_2' },
    ]);
    assert.equal(plan.warnings.length, 3);
  });

  it('a missing required column is a UsageError naming it and the --map way out', () => {
    for (const [headers, missing] of [
      [['name', 'phone'], 'customer_id'],
      [['id', 'phone'], 'customer_name'],
      [['id', 'name', 'amount'], 'phone'],
    ] as const) {
      assert.throws(
        () => planColumns(headers),
        (error: unknown) => error instanceof UsageError && error.message.includes(`missing required column ${missing}`) && (describeError(error).hint ?? '').includes(`--map ${missing}=`),
      );
    }
  });

  it('--map to a column that does not exist is a UsageError listing the columns', () => {
    assert.throws(
      () => planColumns(['id', 'name', 'phone'], parseColumnMap(['amount=Outstanding Rs'])),
      (error: unknown) => error instanceof UsageError && /no such column/.test(error.message) && (error.hint ?? '').includes('"phone"'),
    );
  });
});

describe('parseColumnMap', () => {
  it('rejects unknown fields, a missing =Header, and a field mapped twice', () => {
    assert.throws(() => parseColumnMap(['email=E-mail']), /unknown field "email"/);
    assert.throws(() => parseColumnMap(['phone']), /expected field=Header/);
    assert.throws(() => parseColumnMap(['phone=A', 'mobile=B']), /phone is mapped twice/);
  });
  it('accepts aliases as field names', () => {
    assert.deepEqual([...parseColumnMap(['mobile=Cell', 'Due Date=EMI Date'])], [
      ['phone', 'Cell'],
      ['due_date', 'EMI Date'],
    ]);
  });
});

describe('readRecord', () => {
  it('picks the mapped cells and the carried ones in order', () => {
    const plan = planColumns(['x', 'id', 'name', 'phone', 'y']);
    assert.deepEqual(readRecord(['1', 'C1', 'Asha', '98765', '2'], plan), {
      raw: { customer_id: 'C1', customer_name: 'Asha', phone: '98765' },
      extras: ['1', '2'],
    });
  });
});

it('normalizeHeader strips a BOM and folds separators', () => {
  assert.equal(normalizeHeader('\uFEFF Phone  Number '), 'phone_number');
  assert.equal(normalizeHeader('Loan.No.'), 'loan_no');
});
