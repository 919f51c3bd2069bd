import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { createRowFinisher } from '../../src/customers/accepted-row.ts';
import type { AcceptedCustomer } from '../../src/customers/row-processor.ts';
import { customFieldLength, encodeCustomField } from '../../src/exotel/custom-field.ts';
import { CUSTOMER_FIELDS } from '../../src/exotel/customer.ts';
import {
  createRejectFormatter,
  createRowFormatter,
  csvCell,
  customFieldCell,
  outputColumns,
} from '../../src/customers/writers.ts';

const row: AcceptedCustomer = {
  customer: {
    customer_id: '=1+1',
    customer_name: 'Rao, "Sonny"\nSuresh',
    phone: '+919876543210',
    amount: '15000',
    language_code: 'hi-IN',
    temp_call_id: 'temp_call_1',
  },
  passthruUrl: 'https://b.example/passthru-handler?customer_id=%3D1%2B1',
  customField: '{"customer_id":"=1+1"}',
  warnings: [],
};

describe('csvCell', () => {
  it('prefixes formula starters in free text with an apostrophe (OWASP CSV injection)', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('+cmd'), "'+cmd");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tx'), `"'\tx"`);
    assert.equal(csvCell('a=b'), 'a=b');
  });
  it('leaves validated fields alone (a +91 phone is data, not a formula)', () => {
    assert.equal(csvCell('+919876543210', true), '+919876543210');
  });
  it('quotes delimiters, quotes, newlines and edge spaces; replaces control characters', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('a\r\nb'), '"a\r\nb"');
    assert.equal(csvCell(' a'), '" a"');
    assert.equal(csvCell('a\u0007\u001bb\u0085'), '"a\uFFFD\uFFFDb\uFFFD"');
    assert.equal(csvCell('plain रिद्धि'), 'plain रिद्धि');
    assert.equal(csvCell(''), '');
  });
});

describe('createRowFormatter', () => {
  it('csv: header + rows that a CSV parser reads back (after the formula apostrophe)', () => {
    const f = createRowFormatter('csv', ['branch']);
    const text = f.start() + f.row(row, ['@home'], 0) + f.end(1);
    const [parsed] = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(parsed ?? {}), outputColumns(['branch']));
    assert.equal(parsed?.customer_id, "'=1+1");
    assert.equal(parsed?.customer_name, 'Rao, "Sonny"\nSuresh');
    assert.equal(parsed?.phone, '+919876543210');
    assert.equal(parsed?.branch, "'@home");
    assert.equal(parsed?.loan_id, '');
    assert.equal(parsed?.custom_field, row.customField);
  });
  it('json: a valid array for zero, one and two rows', () => {
    for (const n of [0, 1, 2]) {
      const f = createRowFormatter('json', ['branch']);
      let text = f.start();
      for (let i = 0; i < n; i++) text += f.row(row, ['x'], i);
      text += f.end(n);
      const parsed = JSON.parse(text) as unknown[];
      assert.equal(parsed.length, n);
    }
  });
  it('ndjson: one object per line, values untouched, absent fields omitted', () => {
    const f = createRowFormatter('ndjson', ['branch']);
    const line = f.row(row, ['=x'], 0);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    const parsed = JSON.parse(line) as Record<string, string>;
    assert.equal(parsed.customer_id, '=1+1');
    assert.equal(parsed.branch, '=x');
    assert.equal('loan_id' in parsed, false);
    assert.deepEqual(Object.keys(parsed).slice(-2), ['passthru_url', 'custom_field']);
  });
  it('urls: the URL per line', () => {
    assert.equal(createRowFormatter('urls', []).row(row, [], 0), `${row.passthruUrl}\n`);
  });
});

it('createRejectFormatter: line, reason, message, then the original cells (extra cells kept)', () => {
  const f = createRejectFormatter(['id', 'name']);
  const text = f.start() + f.row(7, 'column_count', 'row has 3 cells', ['C1', '=evil', 'extra']);
  const rows = parse(text, { relax_column_count: true }) as string[][];
  assert.deepEqual(rows, [
    ['line', 'reason', 'message', 'id', 'name'],
    ['7', 'column_count', 'row has 3 cells', 'C1', "'=evil", 'extra'],
  ]);
});

describe('customFieldCell and customFieldLength (the CustomField JSON, not built twice)', () => {
  const values = [
    'C1',
    'रिद्धि मित्तल',
    'Rao, "Sonny"',
    'back\\slash',
    'line\nbreak',
    '\u0001\u007f\u0085',
    '🙂',
    '\ud800',
    '=1+1',
    '',
  ];
  it('is csvCell(encodeCustomField(customer), true), and its length when nothing needs a JSON escape', () => {
    for (const value of values) {
      for (const customer of [{ customer_id: value }, { customer_id: 'C1', customer_name: value, state: value }, {}]) {
        const json = encodeCustomField(customer);
        assert.equal(customFieldCell(customer), csvCell(json, true), JSON.stringify(customer));
        assert.equal(json, JSON.stringify(Object.fromEntries(Object.entries(customer).filter(([, v]) => v !== ''))));
        const length = customFieldLength(customer);
        if (length !== undefined) assert.equal(length, json.length, JSON.stringify(customer));
      }
    }
  });
});

describe('RowFormatter.write (rows in pieces, as the format worker writes them)', () => {
  const finish = createRowFinisher('https://bot.example.com', { kind: 'key', key: 'k' });
  const ASCII = /^[\x09\x0A\x0D\x20-\x7E]*$/;
  // Values that are ASCII (or not), with what csv and JSON must quote, escape or neutralise.
  const value = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', '7', ' ', ',', '"', '=', '\t', '\n', '\r', '-', '\\') }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('रिद्धि मित्तल', 'Rao, Suresh', '\u0001x', 'x\u007f', 'é'),
  );
  const fields = fc.record(
    {
      customer_id: value,
      customer_name: value,
      phone: fc.constant('+919876543210'),
      loan_id: value,
      amount: fc.constantFrom('15000', '1250.50'),
      due_date: fc.constant('2026-01-31'),
      language_code: fc.constantFrom('hi-IN', 'ta-IN'),
      state: value,
      temp_call_id: value,
    },
    { requiredKeys: ['customer_id', 'customer_name', 'phone', 'language_code'] },
  );

  it('writes exactly row(), and only ASCII through ascii(), whichever values are known to be ASCII', () => {
    const formatter = createRowFormatter('csv', ['branch', 'note']);
    fc.assert(
      fc.property(fields, fc.array(value, { minLength: 2, maxLength: 2 }), fc.boolean(), (customer, extras, tell) => {
        const accepted = finish(customer as Parameters<typeof finish>[0], []);
        const all = [...CUSTOMER_FIELDS.map((field) => customer[field] ?? ''), ...extras];
        let text = '';
        const out = {
          text: (piece: string) => (text += piece),
          ascii: (piece: string) => {
            assert.match(piece, ASCII);
            text += piece;
          },
          ...(tell ? { asciiValues: all.map((v) => ASCII.test(v)) } : {}),
        };
        formatter.write(accepted, extras, 0, out);
        assert.equal(text, formatter.row(accepted, extras, 0));
      }),
      { seed: 20261130, numRuns: 3000 },
    );
  });

  it('writes the other formats as row()', () => {
    const accepted = finish(
      { customer_id: 'C1', customer_name: 'रिद्धि', phone: '+919876543210', language_code: 'hi-IN', temp_call_id: 't1' },
      [],
    );
    for (const format of ['ndjson', 'json', 'urls'] as const) {
      const formatter = createRowFormatter(format, []);
      let text = '';
      formatter.write(accepted, [], 1, { text: (piece) => (text += piece), ascii: (piece) => (text += piece) });
      assert.equal(text, formatter.row(accepted, [], 1), format);
    }
  });
});
