/**
 * `url --csv` on two threads (format-lane.ts): the whole pipeline suite again with every row finished and formatted
 * on the worker, then the output compared byte for byte with one thread's, for every format, both auths, warnings,
 * rejects and duplicates, and starting the worker part-way through the rows.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createFormatLane } from '../../src/customers/format-lane.ts';
import { runUrlPipeline, type LineWarning, type PipelineOptions, type Sink } from '../../src/customers/pipeline.ts';
import { createTempCallIds } from '../../src/customers/temp-call-id.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../../src/customers/writers.ts';
import { pipelineSuite } from './pipeline-suite.ts';

pipelineSuite({ formatWorkerAfter: 0 }, ' (format worker)');

function textSink() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const sink: Sink = { stream, close: async () => {} };
  return { open: async () => sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

const NAMES = ['Riddhi Mittal', 'रिद्धि मित्तल', 'சுரேஷ் குமார்', '"Rao, Suresh"', '=cmd', 'ಅನಿತಾ ಶೆಟ್ಟಿ'];

/** Rows with every kind of outcome: rejects, duplicates, warnings, given temp_call_ids, odd carried cells. */
function customers(rows: number): string {
  let text = 'customer_id,name,phone,amount,language,state,temp_call_id,note\n';
  for (let i = 0; i < rows; i++) {
    const id = i % 97 === 5 ? `C${i - 1}` : `C${i}`; // a duplicate id now and then
    const phone = i % 89 === 7 ? String(9_000_000_000 + i - 1) : String(9_000_000_000 + i); // a duplicate phone
    const long = i % 211 === 3; // percent-encoded, a URL over 2,000 characters; a CustomField over 1 KB
    const name = long ? 'क'.repeat(200) : (NAMES[i % NAMES.length] as string);
    const amount = i % 50 === 9 ? 'twelve' : `${1000 + i}`;
    const language = i % 7 === 0 ? 'klingon' : i % 5 === 0 ? '' : 'hi';
    const state = long ? 'ग'.repeat(100) : i % 3 === 0 ? 'Tamil Nadu' : '';
    const temp = i % 13 === 0 ? `temp_call_given${i}` : '';
    // A NUL in a carried cell: that column of the batch travels as a list instead of one joined string.
    const note = i % 150 === 17 ? `"nul\u0000here"` : i % 40 === 1 ? '"a, ""quoted"" note"' : `n${i}`;
    text += `${id},"${name.replaceAll('"', '""')}",${phone},${amount},${language},${state},${temp},${note}\n`;
  }
  return text;
}

async function runOnce(text: string, options: Partial<PipelineOptions>) {
  const out = textSink();
  const rejects = textSink();
  const warnings: LineWarning[] = [];
  const summary = await runUrlPipeline({
    input: Readable.from([Buffer.from(text)]),
    openOutput: out.open,
    openRejects: rejects.open,
    format: 'csv',
    base: 'https://bot.example.com',
    auth: { kind: 'key', key: 'k&ey' },
    nextTempCallId: createTempCallIds('lane'),
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  const { elapsedMs: _elapsed, rowsPerSecond: _rate, ...figures } = summary;
  return { out: out.text(), rejects: rejects.text(), warnings, figures };
}

describe('format lane: the same bytes as one thread', () => {
  const text = customers(1500);
  const auths: PipelineOptions['auth'][] = [
    { kind: 'key', key: 'k&ey' },
    { kind: 'signed', secret: 's3cret', expiresAt: new Date('2030-01-01T00:00:00Z') },
  ];
  for (const format of OUTPUT_FORMATS) {
    for (const auth of auths) {
      it(`${format}, ${auth.kind}: output, rejects, warnings (in line order) and summary`, async () => {
        const one = await runOnce(text, { format, auth });
        assert.ok(one.figures.accepted > 1000 && one.figures.rejected > 30, JSON.stringify(one.figures));
        for (const code of ['url_too_long', 'custom_field_too_large', 'language_defaulted', 'language_code_invalid'])
          assert.ok(
            one.warnings.some((w) => w.code === code),
            code,
          );
        for (const after of [0, 7, 1000]) {
          const two = await runOnce(text, { format, auth, formatWorkerAfter: after });
          assert.equal(two.out, one.out, `output, worker after ${after}`);
          assert.equal(two.rejects, one.rejects, `rejects, worker after ${after}`);
          assert.deepEqual(two.warnings, one.warnings, `warnings, worker after ${after}`);
          assert.deepEqual(two.figures, one.figures, `summary, worker after ${after}`);
        }
      });
    }
  }

  it('json: a worker that starts after the last row still closes a valid array', async () => {
    const two = await runOnce(customers(20), { format: 'json', formatWorkerAfter: 0 });
    assert.equal((JSON.parse(two.out) as unknown[]).length, two.figures.accepted);
    const none = await runOnce('customer_id,name,phone\n', { format: 'json', formatWorkerAfter: 0 });
    assert.equal(none.out, '[]\n');
  });
});

describe('format lane: failures', () => {
  it('a worker that fails rejects the batches it held, and stops', async () => {
    const outputs: Uint8Array[] = [];
    // An unknown format: the worker cannot format, and its error is the lane's.
    const lane = createFormatLane(
      { base: 'https://b.example', auth: { kind: 'none' }, format: 'xml' as OutputFormat, extraNames: [] },
      0,
      (bytes) => outputs.push(bytes),
    );
    lane.add({ customer_id: 'C1', customer_name: 'A', phone: '+919876543210', language_code: 'en-IN' }, [], 2, []);
    await assert.rejects(lane.drain(), TypeError);
    assert.throws(() => lane.add({ customer_id: 'C2' }, [], 3, []), TypeError, 'later rows are refused');
    await lane.close();
    assert.equal(outputs.length, 0);
  });

  it('a failure while a batch comes back ends the run with that error, and keeps no output', async () => {
    let discarded = false;
    let closed = false;
    const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const failure = new Error('stderr is gone');
    await assert.rejects(
      runUrlPipeline({
        input: Readable.from([Buffer.from(customers(50))]),
        openOutput: async () => ({
          stream,
          close: async () => {
            closed = true;
          },
          discard: async () => {
            discarded = true;
          },
        }),
        format: 'csv',
        base: 'https://b.example',
        auth: { kind: 'none' },
        nextTempCallId: createTempCallIds('t'),
        formatWorkerAfter: 0,
        // Warnings of the worker's rows are reported as their batch comes back.
        onWarning: () => {
          throw failure;
        },
      }),
      (error) => error === failure,
    );
    assert.ok(discarded && !closed, 'the output was discarded, not kept');
  });
});
