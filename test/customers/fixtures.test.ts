/**
 * The customer fixture files through the real CLI: every row of the hostile file gets the verdict and reason
 * in the table below; the realistic 50-row file is accepted whole; a file without a required column is a usage
 * error before any row is read.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));
const HOSTILE = join(FIXTURES, 'hostile.csv');

type Accepted = {
  phone: string;
  amount?: string;
  due_date?: string;
  language_code: string;
  customer_name?: string;
  warn?: string;
};
type Verdict = readonly [line: number, id: string, outcome: Accepted | string];

/** Line numbers are physical lines of the file (the header is line 1; a quoted newline adds one). */
const HOSTILE_TABLE: readonly Verdict[] = [
  [
    2,
    'H01',
    {
      phone: '+919876500001',
      amount: '15000',
      due_date: '2025-08-11',
      language_code: 'hi-IN',
      customer_name: 'Sharma, Anil',
    },
  ],
  [
    3,
    'H02',
    {
      phone: '+919876500002',
      amount: '1250.50',
      due_date: '2025-08-31',
      language_code: 'hi-IN',
      customer_name: 'रिद्धि मित्तल',
    },
  ],
  [
    5,
    'H03',
    {
      phone: '+919876500003',
      amount: '2500',
      due_date: '2025-12-31',
      language_code: 'hi-IN',
      customer_name: 'सुरेश कुमार',
    },
  ],
  [8, 'H04', { phone: '+919876500004', amount: '300000', due_date: '2026-01-01', language_code: 'ml-IN' }],
  [9, 'H05', { phone: '+919876500005', amount: '999.99', due_date: '2026-02-28', language_code: 'od-IN' }],
  [10, 'H06', { phone: '+919876500006', amount: '500', due_date: '2026-01-15', language_code: 'ta-IN' }],
  [11, 'H07', 'phone_invalid'],
  [12, 'H08', 'phone_invalid'],
  [13, 'H09', 'phone_invalid'],
  [14, 'H10', 'missing_phone'],
  [15, '', 'missing_customer_id'],
  [16, 'H12', 'missing_name'],
  [17, 'H13', 'amount_not_numeric'],
  [18, 'H14', 'amount_not_positive'],
  [19, 'H15', 'amount_not_positive'],
  [20, 'H16', 'date_invalid'],
  [21, 'H17', 'date_invalid'],
  [22, 'H18', 'date_invalid'],
  [23, 'H01', 'duplicate_customer_id'],
  [24, 'H20', 'duplicate_phone'],
  [
    25,
    'H21',
    {
      phone: '+919876500021',
      amount: '100',
      language_code: 'en-IN',
      customer_name: '=HYPERLINK("http://evil.example","click")',
      warn: 'language_defaulted',
    },
  ],
  [26, 'H22', 'control_characters'],
  [27, 'H23', 'column_count'],
  [28, 'H24', 'column_count'],
  [30, 'H25', { phone: '+919876500025', amount: '100', language_code: 'en-IN', warn: 'language_defaulted' }],
  [31, 'H26', 'control_characters'],
  [32, 'H27', { phone: '+919876500027', amount: '100', language_code: 'ta-IN', customer_name: 'Spaced Name' }],
  [
    33,
    'H28',
    {
      phone: '+916000000028',
      amount: '1250',
      due_date: '2025-09-01',
      language_code: 'ta-IN',
      customer_name: 'முருகன் செல்வம்',
    },
  ],
  [34, 'H29', { phone: '+919876500029', amount: '100', language_code: 'en-IN', warn: 'language_defaulted' }],
  [35, 'H30', { phone: '+919876500030', amount: '7500.50', language_code: 'en-IN', warn: 'language_defaulted' }],
];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-url-fixtures-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Row = Record<string, string>;
const ndjson = (text: string): Row[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);

describe('fixtures/csv/hostile.csv', () => {
  let result: { code: number; stdout: string; stderr: string };
  let accepted: Row[];
  let rejects: Row[];
  before(async () => {
    result = await runCli([
      'url',
      '--csv',
      HOSTILE,
      '--format',
      'ndjson',
      '--rejects',
      join(dir, 'rejects.csv'),
      '--seed',
      'hostile',
      '--base-url',
      'https://bot.example.com',
    ]);
    accepted = ndjson(result.stdout);
    rejects = parse(await readFile(join(dir, 'rejects.csv')), { columns: true, relax_column_count: true }) as Row[];
  });

  it('exits 1 because rows were rejected, and says so on stderr', () => {
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /30 rows read .*12 accepted, 18 rejected/);
    assert.match(result.stderr, /2 empty lines skipped/);
  });

  it('gives every row the verdict and reason of the table', () => {
    const expectedAccepted = HOSTILE_TABLE.filter(([, , outcome]) => typeof outcome !== 'string');
    const expectedRejected = HOSTILE_TABLE.filter(([, , outcome]) => typeof outcome === 'string');
    assert.deepEqual(
      accepted.map((row) => row.customer_id),
      expectedAccepted.map(([, id]) => id),
    );
    assert.deepEqual(
      rejects.map((row) => [Number(row.line), row['Customer ID'], row.reason]),
      expectedRejected.map(([line, id, reason]) => [line, id, reason]),
    );
    for (const [line, id, outcome] of expectedAccepted) {
      if (typeof outcome === 'string') continue;
      const row = accepted.find((r) => r.customer_id === id);
      assert.ok(row, `line ${line} (${id}) accepted`);
      const { warn, ...fields } = outcome;
      for (const [key, value] of Object.entries(fields)) assert.equal(row[key], value, `line ${line} ${key}`);
      if (warn) assert.match(result.stderr, new RegExp(`line ${line}: ${warn}`));
    }
  });

  it('keeps the original cells and a message for each rejected row', () => {
    const h22 = rejects.find((row) => row['Customer ID'] === 'H22');
    assert.equal(h22?.['Customer Name'], 'Bell\uFFFDChar', 'control characters shown as U+FFFD in the CSV, never raw');
    const h13 = rejects.find((row) => row['Customer ID'] === 'H13');
    assert.equal(h13?.Amount, 'fifteen thousand');
    assert.match(h13?.message ?? '', /fifteen thousand/);
    for (const row of rejects) assert.notEqual(row.message, '', `line ${row.line} has a message`);
  });

  it('carries extra columns untouched (quoted commas and newlines included)', () => {
    const byId = new Map(accepted.map((row) => [row.customer_id, row]));
    assert.equal(byId.get('H01')?.Notes, 'note, with a comma');
    assert.equal(byId.get('H03')?.Notes, 'a note\r\nover two lines');
    assert.equal(byId.get('H21')?.Notes, '@SUM(1+1)');
  });

  it('neutralises formula cells in csv output only', async () => {
    const res = await runCli([
      'url',
      '--csv',
      HOSTILE,
      '--allow-rejects',
      '--seed',
      'hostile',
      '--base-url',
      'https://bot.example.com',
    ]);
    assert.equal(res.code, 0);
    const rows = parse(res.stdout, { columns: true }) as Row[];
    const h21 = rows.find((row) => row.customer_id === 'H21');
    assert.equal(h21?.customer_name, `'=HYPERLINK("http://evil.example","click")`);
    assert.equal(h21?.Notes, "'@SUM(1+1)");
    assert.equal(rows.find((row) => row.customer_id === 'H30')?.Notes, "'-2+3+cmd|' /C calc'!A0");
    assert.equal(h21?.phone, '+919876500021', 'a validated +91 phone is not treated as a formula');
    assert.equal(rows.length, 12);
  });
});

describe('fixtures/csv/customers-50.csv', () => {
  it('accepts all 50 customers in eleven scripts, with no rejects and no warnings', async () => {
    const res = await runCli([
      'url',
      '--csv',
      join(FIXTURES, 'customers-50.csv'),
      '--format',
      'ndjson',
      '--base-url',
      'https://bot.example.com',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const rows = ndjson(res.stdout);
    assert.equal(rows.length, 50);
    assert.doesNotMatch(res.stderr, /warning:/);
    const languages = new Set(rows.map((row) => row.language_code));
    assert.deepEqual([...languages].sort(), [
      'bn-IN',
      'en-IN',
      'gu-IN',
      'hi-IN',
      'kn-IN',
      'ml-IN',
      'mr-IN',
      'od-IN',
      'pa-IN',
      'ta-IN',
      'te-IN',
    ]);
    for (const row of rows) {
      assert.match(row.phone ?? '', /^\+91[6-9][0-9]{9}$/);
      assert.match(row.amount ?? '', /^[1-9][0-9]*(\.[0-9]{2})?$/);
      assert.match(row.due_date ?? '', /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(row.branch && row.dpd_bucket, 'extra columns carried');
    }
  });
});

describe('a file without a required column', () => {
  it('is a usage error (exit 2) naming the column, and writes no output file', async () => {
    const out = join(dir, 'never.csv');
    const res = await runCli(['url', '--csv', join(FIXTURES, 'missing-phone-column.csv'), '--out', out]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /missing required column phone/);
    assert.match(res.stderr, /--map phone=/);
    assert.equal(res.stdout, '');
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });
});
