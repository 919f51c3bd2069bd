/**
 * Fuzzing the CSV reader behind `url --csv` (runUrlPipeline) with generated files: quoted cells holding quotes,
 * delimiters, CRLF/LF/CR and NUL; BOM; mixed record ends; blank lines; ragged rows; cells past the record size
 * limit; one-byte and multi-byte delimiters; the bytes cut into random chunks.
 *
 * Well-formed files are generated with their own answer key: the line every record starts on and its size. Then
 * every data row must come out exactly once, as an output row (by its customer_id) or as a reject at its real
 * line; a record past the limit must be a reject, one under it never a size reject; and the bytes that reach
 * csv-parse stay within the limit per record (memory). Broken files (stray quotes, unclosed quotes) must still
 * never throw and keep the counts consistent.
 *
 * The seed is fixed, so every run checks the same files. On a failure fast-check prints the seed and the
 * counterexample's path; to replay just that case, pass both to fc.assert: `{ seed: SEED, path: '…' }`.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { runUrlPipeline, type Sink, type UrlSummary } from '../../src/customers/pipeline.ts';
import { createRecordLimit } from '../../src/customers/record-limit.ts';
import { createTempCallIds } from '../../src/customers/temp-call-id.ts';

const SEED = 20_250_812;
const RUNS = 1200;

const breaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

function memorySink() {
  let text = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      text += chunk;
      callback();
    },
  });
  const sink: Sink = { stream, close: async () => {} };
  return { open: async () => sink, text: () => text };
}

type Outcome = {
  summary: UrlSummary;
  ids: string[];
  rejects: Array<{ line: number; reason: string; message: string }>;
};

async function runPipeline(
  chunks: readonly Buffer[],
  delimiter: string,
  maxRecordBytes: number | undefined,
): Promise<Outcome> {
  const out = memorySink();
  const rejects = memorySink();
  const summary = await runUrlPipeline({
    input: Readable.from(chunks),
    openOutput: out.open,
    openRejects: rejects.open,
    format: 'ndjson',
    delimiter,
    base: 'https://b.example',
    auth: { kind: 'none' },
    nextTempCallId: createTempCallIds('fuzz'),
    ...(maxRecordBytes === undefined ? {} : { maxRecordBytes }),
  });
  const ids = out
    .text()
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as Record<string, string>).customer_id ?? '');
  const rows = parse(rejects.text(), { from_line: 2, relax_column_count: true }) as string[][];
  return {
    summary,
    ids,
    rejects: rows.map(([line, reason, message]) => ({
      line: Number(line),
      reason: reason ?? '',
      message: message ?? '',
    })),
  };
}

/** The bytes cut at random places: chunk boundaries inside a CRLF, a "" or a multi-byte character included. */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) chunks.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  return chunks;
}

const DELIMITERS = [',', ';', '\t', '|', '§'];
const HEADER = ['customer_id', 'name', 'phone', 'amount', 'state'];
const PHONES = ['9876543210', '98765 43210', '+919876543211', '09876543212', '12345', '', '9876543210'];
const NASTY = [
  '"',
  '""',
  ',',
  ';',
  '\t',
  '|',
  '§',
  '\n',
  '\r\n',
  '\r',
  '\u0000',
  '\uFEFF',
  '=cmd()',
  'नाम',
  '😀',
  ' ',
  "'",
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...NASTY), { maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 5 }) },
);
/** Sizes around the limits used below (256 and 4096 bytes), with line breaks inside sometimes. */
const huge = fc
  .tuple(
    fc.constantFrom(200, 250, 255, 256, 257, 300, 1000, 4090, 4096, 4097, 5000, 20_000),
    fc.constantFrom('x', 'ab\r\ncd', 'é\n', '"'),
  )
  .map(([size, unit]) => unit.repeat(Math.ceil(size / Buffer.byteLength(unit))));
const cellValue = fc.oneof({ weight: 12, arbitrary: text }, { weight: 1, arbitrary: huge });

type Row = { kind: 'row'; cells: string[] } | { kind: 'blank'; text: string };

const row = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(cellValue, fc.constantFrom(...PHONES), cellValue, cellValue, fc.integer({ min: -2, max: 2 }), cellValue)
      .map(([name, phone, amount, state, ragged, extra]): Row => {
        const cells = [name, phone, amount, state];
        if (ragged < 0) cells.length += ragged;
        if (ragged > 0) cells.push(...Array.from({ length: ragged }, () => extra));
        return { kind: 'row', cells };
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t').map((t): Row => ({ kind: 'blank', text: t })) },
);

type Planned = { line: number; bytes: number; id: string | undefined };

/** Serialise with the answer key: where each record starts and how many bytes it has (its end excluded). */
function serialise(spec: {
  delimiter: string;
  bom: boolean;
  leadingBlanks: number;
  rows: Row[];
  ends: string[];
  lastEnd: boolean;
  quoteAll: boolean[];
}) {
  const { delimiter } = spec;
  const cell = (value: string, i: number) => {
    const must = /["\r\n]/.test(value) || value.includes(delimiter);
    return must || spec.quoteAll[i % spec.quoteAll.length] ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const records: Array<{ text: string; id: string | undefined }> = [];
  for (let i = 0; i < spec.leadingBlanks; i++) records.push({ text: '', id: undefined });
  records.push({ text: HEADER.join(delimiter), id: undefined });
  spec.rows.forEach((r, i) => {
    if (r.kind === 'blank') records.push({ text: r.text === '\t' && delimiter === '\t' ? '' : r.text, id: undefined });
    else records.push({ text: [`C${i}`, ...r.cells.map(cell)].join(delimiter), id: `C${i}` });
  });
  let text = '';
  let line = 1;
  const planned: Planned[] = [];
  records.forEach((record, i) => {
    const last = i === records.length - 1;
    let end = last && !spec.lastEnd ? '' : (spec.ends[i % spec.ends.length] ?? '\n');
    // An empty record right after a lone CR would turn that CR into half of a CRLF.
    if (record.text === '' && text.endsWith('\r') && end === '\n') end = '\r\n';
    if (last && record.text === '' && end === '') return;
    planned.push({ line, bytes: Buffer.byteLength(record.text), id: record.id });
    text += record.text + end;
    line += breaks(record.text) + (end === '' ? 0 : 1);
  });
  return { bytes: Buffer.from(`${spec.bom ? '\uFEFF' : ''}${text}`), planned };
}

const wellFormed = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  bom: fc.boolean(),
  leadingBlanks: fc.nat(2),
  rows: fc.array(row, { maxLength: 25 }),
  ends: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 4 }),
  lastEnd: fc.boolean(),
  quoteAll: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  limit: fc.constantFrom(256, 4096, undefined),
});

/** Bytes the record limit passes on to csv-parse: at most the limit per record, plus record ends and markers. */
async function forwardedBytes(chunks: readonly Buffer[], delimiter: string, maxBytes: number): Promise<number> {
  const limit = createRecordLimit({ maxBytes, delimiter });
  let total = 0;
  limit.stream.on('data', (chunk: Buffer) => (total += chunk.length));
  const ended = new Promise((resolve) => limit.stream.on('end', resolve));
  for (const chunk of chunks) limit.stream.write(chunk);
  limit.stream.end();
  await ended;
  return total;
}

describe('url --csv reader fuzzed', { timeout: 120_000 }, () => {
  it(`well-formed files (${RUNS}): every row once, as a row or a reject at its real line; size limit kept`, async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, async (spec) => {
        const { bytes, planned } = serialise(spec);
        const chunks = chunked(bytes, spec.cuts);
        const { summary, ids, rejects } = await runPipeline(chunks, spec.delimiter, spec.limit);
        const max = spec.limit ?? 1024 * 1024;
        const data = planned.filter((p) => p.id !== undefined);
        assert.equal(summary.rowsRead, data.length, 'rows read');
        assert.equal(summary.accepted + summary.rejected, summary.rowsRead);
        assert.equal(ids.length, summary.accepted);
        assert.equal(rejects.length, summary.rejected);
        assert.equal(summary.emptyLines, planned.length - data.length - 1, 'blank lines');
        assert.equal(summary.truncated, undefined);
        const byLine = new Map(rejects.map((r) => [r.line, r]));
        assert.equal(byLine.size, rejects.length, 'one reject per line');
        const out = new Set(ids);
        for (const p of data) {
          const rejected = byLine.get(p.line);
          assert.notEqual(
            out.has(p.id ?? ''),
            rejected !== undefined,
            `${p.id} on line ${p.line}: exactly one of row or reject`,
          );
          const cutForSize = rejected?.reason === 'csv_malformed' && /over \d+ bytes/.test(rejected.message);
          if (p.bytes > max + 1) assert.ok(cutForSize, `${p.id} (${p.bytes} bytes) is a size reject`);
          if (p.bytes <= max) assert.ok(!cutForSize, `${p.id} (${p.bytes} bytes) is no size reject`);
        }
        const lines = new Set(data.map((p) => p.line));
        for (const r of rejects) assert.ok(lines.has(r.line), `reject line ${r.line} is where a row starts`);
        const bound = planned.reduce((sum, p) => sum + Math.min(p.bytes, max + 1) + 2 + (p.bytes > max ? 128 : 0), 3);
        assert.ok(
          (await forwardedBytes(chunks, spec.delimiter, max)) <= bound,
          'csv-parse never gets a whole oversized record',
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('broken files (500): stray and unclosed quotes, NUL, junk — no throw, counts consistent', async () => {
    const junk = fc.array(
      fc.oneof(fc.constantFrom('"', '""', ',', '\r', '\n', '\r\n', '\u0000', 'C9', '9876543210', '\uFEFF'), text, huge),
      { maxLength: 40 },
    );
    const broken = fc.record({
      body: junk,
      cuts: fc.array(fc.nat(), { maxLength: 8 }),
      limit: fc.constantFrom(256, 4096),
    });
    await fc.assert(
      fc.asyncProperty(broken, async ({ body, cuts, limit }) => {
        const bytes = Buffer.from(`${HEADER.join(',')}\n${body.join('')}`);
        const { summary, ids, rejects } = await runPipeline(chunked(bytes, cuts), ',', limit);
        assert.equal(summary.accepted + summary.rejected, summary.rowsRead);
        assert.equal(ids.length, summary.accepted);
        assert.equal(rejects.length, summary.rejected);
        const lastLine = breaks(bytes.toString()) + 1;
        let previous = 1;
        for (const r of rejects) {
          assert.ok(
            r.line > previous && r.line <= lastLine,
            `reject lines increase within the file: ${r.line} after ${previous} (of ${lastLine})`,
          );
          previous = r.line;
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
