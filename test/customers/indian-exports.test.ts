/**
 * Customer CSVs as Indian teams export them (Excel, Tally, Google Sheets): the unambiguous date forms, Excel's
 * text prefix and float phones, language names; every problem of a rejected row is reported, and the rejects
 * file can be fixed and fed back (its formula guard is read back).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-indian-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function url(csv: string, ...args: string[]) {
  const file = join(dir, `in-${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, csv);
  const res = await runCli(['url', '--csv', file, '--format', 'ndjson', '--base-url', 'https://bot.example.com', ...args]);
  const rows = res.stdout.trim() === '' ? [] : res.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  return { ...res, rows };
}

describe('url --csv: Indian exports', () => {
  it('reads the unambiguous date forms, day first', async () => {
    const dates = ['11-Aug-2025', '11/08/25', '11.08.2025', '2025/08/11', '2025-8-1'];
    const csv = `customer_id,name,phone,due_date\n${dates.map((d, i) => `C${i},N${i},987654321${i},${d}`).join('\n')}\n`;
    const res = await url(csv);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.rows.map((r) => r.due_date), ['2025-08-11', '2025-08-11', '2025-08-11', '2025-08-11', '2025-08-01']);
  });

  it("reads Excel's text prefix and float phones, and language names", async () => {
    const csv = "customer_id,name,phone,language_code\nC1,A,'9876543211,Hindi\nC2,B,9876543212.0,TAMIL\n";
    const res = await url(csv);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.rows.map((r) => [r.phone, r.language_code]), [['+919876543211', 'hi-IN'], ['+919876543212', 'ta-IN']]);
    assert.doesNotMatch(res.stderr, /language_defaulted|language_code_invalid/);
  });

  it('reports every problem of a rejected row, the first as its reason', async () => {
    const rejects = join(dir, 'rejects.csv');
    const res = await url('customer_id,name,phone,amount,due_date\nC1,,12345,abc,32/13/2025\n', '--rejects', rejects);
    assert.equal(res.code, 1);
    const [, row] = parse(await readFile(rejects, 'utf8')) as string[][];
    assert.equal(row?.[1], 'missing_name');
    for (const part of ['customer_name is empty', 'phone "12345"', 'amount "abc"', 'due_date "32/13/2025"']) assert.ok(row?.[2]?.includes(part), `${part} in ${row?.[2]}`);
  });

  it('--help says DD/MM/YYYY is read day first, as in India', async () => {
    const res = await runCli(['url', '--help']);
    assert.match(res.stdout, /DD\/MM\/YYYY.*India/s);
  });
});

describe('url --csv: the rejects file is fixable and re-runnable', () => {
  it("a fixed rejects file runs clean: the formula guard ' on a phone is read back", async () => {
    const rejects = join(dir, 'fix-me.csv');
    const first = await url('customer_id,name,phone,amount\nC9,Meera,+91-9876543214,abc\n', '--rejects', rejects);
    assert.equal(first.code, 1);
    const written = await readFile(rejects, 'utf8');
    assert.match(written, /'\+91-9876543214/, 'the + cell is guarded for spreadsheets');
    const again = await url(written.replace(/,abc$/m, ',100'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.rows[0]?.phone, '+919876543214');
    assert.equal(again.rows[0]?.amount, '100');
  });
});

describe('url --csv: the delimiter is read from the header line', () => {
  for (const [name, sep] of [['semicolon', ';'], ['tab', '\t'], ['pipe', '|']] as const) {
    it(`${name}-separated, without --delimiter: read, and a note says so`, async () => {
      const csv = [['customer_id', 'name', 'phone', 'amount'], ['C1', 'Asha', '9876543210', '1,500']].map((r) => r.join(sep)).join('\n');
      const res = await url(`${csv}\n`);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.rows[0]?.customer_name, 'Asha');
      assert.equal(res.rows[0]?.amount, '1500');
      assert.match(res.stderr, new RegExp(`note: the header line is ${name}-separated`));
    });
  }

  it('a comma file gets no note; --delimiter still wins', async () => {
    const plain = await url('customer_id,name,phone\nC1,Asha,9876543210\n');
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /note:/);
    const forced = await url('customer_id;name;phone\nC1;Asha;9876543210\n', '--delimiter', ',');
    assert.equal(forced.code, 2, 'read with commas, the header has no phone column');
  });
});
