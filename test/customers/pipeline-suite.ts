/**
 * The streaming pipeline itself: backpressure, exact line numbers, broken input, nothing accepted is lost. Run as
 * one thread by pipeline.test.ts and with the format worker (format-lane.ts) by format-lane.test.ts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { openFileSink } from '../../src/cli/commands/url/file-sink.ts';
import { runUrlPipeline, type LineWarning, type PipelineOptions, type Sink } from '../../src/customers/pipeline.ts';
import { createTempCallIds } from '../../src/customers/temp-call-id.ts';
import { UsageError } from '../../src/errors.ts';

/**
 * A sink that keeps what it receives; `slow` acknowledges each write on a later turn (a slow disk or pipe);
 * `reuse` says it is done with a chunk once it calls back (Sink.reusesChunks), and counts the memory it was given.
 */
function memorySink(options: { slow?: boolean; highWaterMark?: number; reuse?: boolean } = {}) {
  let text = '';
  let maxBuffered = 0;
  let closed = false;
  const memories = new Set<ArrayBufferLike>();
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      if (typeof chunk !== 'string') memories.add(chunk.buffer);
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
      // Slow, the chunk is read only when the sink calls back: a chunk written into again before that shows.
      if (options.slow)
        setImmediate(() => {
          text += chunk;
          callback();
        });
      else {
        text += chunk;
        callback();
      }
    },
  });
  const sink: Sink = {
    stream,
    close: async () => {
      closed = true;
    },
    ...(options.reuse ? { reusesChunks: true } : {}),
  };
  return {
    open: async () => sink,
    text: () => text,
    memories: () => memories.size,
    maxBuffered: () => maxBuffered,
    closed: () => closed,
  };
}

function run(
  mode: Partial<PipelineOptions>,
  input: Readable | string | readonly string[],
  extra: Partial<PipelineOptions> = {},
) {
  const out = memorySink();
  const rejects = memorySink();
  const warnings: LineWarning[] = [];
  const source =
    typeof input === 'string'
      ? Readable.from([Buffer.from(input)])
      : Array.isArray(input)
        ? Readable.from(input.map((s) => Buffer.from(s)))
        : (input as Readable);
  const done = runUrlPipeline({
    ...mode,
    input: source,
    openOutput: out.open,
    openRejects: rejects.open,
    format: 'ndjson',
    base: 'https://b.example',
    auth: { kind: 'none' },
    nextTempCallId: createTempCallIds('t'),
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { done, out, rejects, warnings };
}

const rowsOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string>);
const rejectLines = (text: string) =>
  (parse(text, { from_line: 2, relax_column_count: true }) as string[][]).map((cells) => `${cells[0]} ${cells[1]}`);

function generated(rows: number, chunkBytes: number): Readable {
  let text = 'customer_id,name,phone,state\n';
  for (let i = 0; i < rows; i++) text += `C${i},"नाम, ${i}",${9_000_000_000 + i},Tamil Nadu\n`;
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks);
}

/** `generated(rows, chunkBytes)` through the pipeline as ndjson into `out`, with `mode`. */
const runGenerated = (
  mode: Partial<PipelineOptions>,
  out: { open: PipelineOptions['openOutput'] },
  rows: number,
  chunkBytes: number,
) =>
  runUrlPipeline({
    ...mode,
    input: generated(rows, chunkBytes),
    openOutput: out.open,
    format: 'ndjson',
    base: 'https://b.example',
    auth: { kind: 'none' },
    nextTempCallId: createTempCallIds('t'),
  });

/** Every test of the pipeline, with `mode` added to each run (`label` names the mode in the test names). */
export function pipelineSuite(mode: Partial<PipelineOptions>, label: string): void {
  describe(`runUrlPipeline${label}`, () => {
    it('streams 20,000 rows through a slow sink without buffering more than a batch', async () => {
      const out = memorySink({ slow: true, highWaterMark: 1024 });
      const summary = await runGenerated(mode, out, 20_000, 4096);
      assert.equal(summary.accepted, 20_000);
      const rows = rowsOf(out.text());
      assert.equal(rows.length, 20_000);
      assert.equal(rows[19_999]?.customer_id, 'C19999', 'order kept');
      assert.ok(out.maxBuffered() <= 70 * 1024, `the sink never held more than one ~64 KB batch: ${out.maxBuffered()}`);
      assert.ok(out.closed());
    });

    it('writes every byte into a sink that reuses chunks, from a few buffers', async () => {
      const texts: string[] = [];
      for (const reuse of [false, true]) {
        // Slow, with room for several chunks: a chunk filled again before the sink has read it would show.
        const out = memorySink({ slow: true, reuse, highWaterMark: 256 * 1024 });
        await runGenerated(mode, out, 20_000, 4096);
        texts.push(out.text());
        // 12 MB of rows in 64 KB chunks: about 200 buffers without reuse; with it, the few the sink holds and 20 kept.
        if (reuse) assert.ok(out.memories() <= 25, `chunks came from ${out.memories()} buffers`);
        else assert.ok(out.memories() > 100, `chunks came from ${out.memories()} buffers`);
      }
      assert.equal(rowsOf(texts[1] ?? '').length, 20_000);
      assert.equal(texts[1], texts[0]);
    });

    it('keeps multi-byte characters split across 7-byte chunks intact', async () => {
      const out = memorySink();
      await runGenerated(mode, out, 300, 7);
      const rows = rowsOf(out.text());
      assert.equal(rows.length, 300);
      assert.equal(rows[123]?.customer_name, 'नाम, 123');
    });

    it('reports physical line numbers across CRLF, LF, CR, blank lines and quoted newlines', async () => {
      const text = `${['\r\nid,name,phone', '"C1","multi\r\nline",9876543210', '', 'C2,b,123', '   ', 'C3,"x\ny",1\rC4,d,5'].join('\r\n')}\n`;
      const { done, rejects } = run(mode, text);
      const summary = await done;
      // C2 on line 6; C3 opens a quoted cell on line 8 that closes on 9; C4 follows a lone CR on line 10.
      assert.deepEqual(rejectLines(rejects.text()), ['6 phone_invalid', '8 phone_invalid', '10 phone_invalid']);
      assert.equal(summary.emptyLines, 3);
      assert.equal(summary.rowsRead, 4);
    });

    it('stops at an unclosed quote: earlier rows are written, the rest is reported as not read', async () => {
      const { done, out, rejects } = run(mode, 'id,name,phone\nC1,a,9876543210\nC2,"b,9876543211\nC3,c,9876543212\n');
      const summary = await done;
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C1'],
      );
      assert.deepEqual(rejectLines(rejects.text()), ['3 csv_malformed']);
      assert.match(summary.truncated ?? '', /line 3/);
    });

    it('a field over 1 MB: one reject at its real line, then the next record is read', async () => {
      const name = 'A'.repeat(10 * 1024 * 1024);
      const { done, out, rejects } = run(mode, ['id,name,phone\nC1,', name, ',9876543210\nC2,Bee,9876543211\n']);
      const summary = await done;
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C2'],
      );
      assert.deepEqual(rejectLines(rejects.text()), ['2 csv_malformed']);
      assert.match(rejects.text(), /^2,csv_malformed,.*over 1048576 bytes/m);
      assert.deepEqual([summary.rowsRead, summary.accepted, summary.rejected, summary.truncated], [2, 1, 1, undefined]);
    });

    it('an oversized quoted field spanning lines (CRLF) keeps the line numbers of the records after it', async () => {
      const huge = `"first\r\n${'x'.repeat(100_000)}\r\nthird"`;
      const text = `id,name,phone\r\nC1,${huge},9876543210\r\nC2,b,123\r\n\r\nC3,"c\nd",1\r\nC4,d,9876543211\r\n`;
      const { done, out, rejects } = run(mode, text, { maxRecordBytes: 64 * 1024 });
      const summary = await done;
      // C1 spans lines 2–4; C2 is on 5, a blank line 6, C3 on 7–8, C4 on 9.
      assert.deepEqual(rejectLines(rejects.text()), ['2 csv_malformed', '5 phone_invalid', '7 phone_invalid']);
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C4'],
      );
      assert.equal(summary.truncated, undefined);
    });

    it('a runaway unclosed quote: one reject where it starts, the rest reported as not read', async () => {
      const text = `id,name,phone\nC1,a,9876543210\nC2,"${'x'.repeat(300_000)},9876543211\nC3,c,9876543212\n`;
      const { done, out, rejects } = run(mode, text, { maxRecordBytes: 64 * 1024 });
      const summary = await done;
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C1'],
      );
      assert.deepEqual(rejectLines(rejects.text()), ['3 csv_malformed']);
      assert.match(summary.truncated ?? '', /parsing stopped at line 3/);
    });

    it('memory stays bounded while a 128 MB field streams past', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      let sent = 0;
      let peak = 0;
      const baseline = process.memoryUsage().rss;
      const input = new Readable({
        read() {
          peak = Math.max(peak, process.memoryUsage().rss - baseline);
          if (sent === 0) this.push('id,name,phone\nC1,');
          if (sent >= 128 * 1024 * 1024) {
            this.push(',9876543210\nC2,b,9876543211\n');
            this.push(null);
            return;
          }
          sent += chunk.length;
          this.push(chunk);
        },
      });
      const { done, out } = run(mode, input);
      const summary = await done;
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C2'],
      );
      assert.equal(summary.rejected, 1);
      assert.ok(peak < 96 * 1024 * 1024, `peak RSS growth ${Math.round(peak / 1024 / 1024)} MB`);
    });

    it('flushes the rows it accepted when the input fails mid-way, then reports the failure', async () => {
      const input = new Readable({ read() {} });
      const { done, out } = run(mode, input, {
        progressEvery: 1,
        // The second row is accepted: now the disk goes away.
        onProgress: (p) => {
          if (p.rows === 2) input.destroy(new Error('disk went away'));
        },
      });
      // (csv-parse holds the last line back until it sees what follows, hence C3.)
      input.push('id,name,phone\nC1,a,9876543210\nC2,b,9876543211\nC3,c,9876543212\n');
      await assert.rejects(done, /disk went away/);
      assert.deepEqual(
        rowsOf(out.text()).map((r) => r.customer_id),
        ['C1', 'C2'],
      );
      assert.ok(out.closed());
    });

    it('stops reading when the output fails (a full disk, a closed pipe) and reports that error', async () => {
      let writes = 0;
      const broken = new Writable({
        write(_chunk, _encoding, callback) {
          writes += 1;
          const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          callback(error);
        },
      });
      const summary = runUrlPipeline({
        ...mode,
        input: generated(50_000, 4096),
        openOutput: async () => ({ stream: broken, close: async () => {} }),
        format: 'csv',
        base: 'https://b.example',
        auth: { kind: 'none' },
        nextTempCallId: createTempCallIds('t'),
      });
      await assert.rejects(summary, { code: 'EPIPE' });
      assert.equal(writes, 1, 'nothing more was written after the failure');
    });

    it('an empty input is a usage error; a header alone is a valid, empty result', async () => {
      await assert.rejects(run(mode, '').done, UsageError);
      await assert.rejects(run(mode, '\n\n \n').done, /empty/);
      const json = memorySink();
      const summary = await runUrlPipeline({
        ...mode,
        input: Readable.from([Buffer.from('id,name,phone\n')]),
        openOutput: json.open,
        format: 'json',
        base: 'https://b.example',
        auth: { kind: 'none' },
        nextTempCallId: createTempCallIds('t'),
      });
      assert.equal(summary.rowsRead, 0);
      assert.deepEqual(JSON.parse(json.text()), []);
    });

    it('opens no sink when the header is refused', async () => {
      const { done, out } = run(mode, 'id,name\nC1,a\n');
      await assert.rejects(done, /missing required column phone/);
      assert.equal(out.text(), '');
      assert.equal(out.closed(), false);
    });

    it('reads other delimiters and tolerates empty trailing cells', async () => {
      const { done, out } = run(mode, 'id;name;phone;\nC1;Rao, S;9876543210;\n', { delimiter: ';' });
      assert.equal((await done).accepted, 1);
      assert.equal(rowsOf(out.text())[0]?.customer_name, 'Rao, S');
    });

    it('reports warnings with their line and progress as it goes', async () => {
      const progress: number[] = [];
      const { done, warnings } = run(
        mode,
        'id,name,phone,state\nC1,a,9876543210,Atlantis\n\nC2,b,9876543211,\nC3,c,9876543212,UP\n',
        {
          onProgress: (p) => progress.push(p.rows),
          progressEvery: 1,
        },
      );
      await done;
      assert.deepEqual(
        warnings.map((w) => [w.line, w.code]),
        [
          [2, 'language_defaulted'],
          [4, 'language_defaulted'],
        ],
      );
      assert.deepEqual(progress, [1, 2, 3]);
    });
  });

  /**
   * Ctrl-C destroys the input; it can land while the header's sinks are being opened, after a sink's temporary file
   * was created and before the run holds the sink. Each case interrupts exactly there: the opener creates the real
   * file sink (url's --out/--rejects, cli/commands/url/file-sink.ts), interrupts, and hands the sink over only once
   * the run has ended (`ended`) — or, without the wait in run-state.ts's finish(), once the run has settled.
   */
  describe(`interrupted while a sink opens${label}`, () => {
    for (const which of ['output', 'rejects'] as const) {
      it(`while the ${which} sink opens: no temporary file is left, the targets are as they were`, async () => {
        const dir = await mkdtemp(join(tmpdir(), 'exo-open-race-'));
        try {
          await writeFile(join(dir, 'out.csv'), 'old\n');
          const input = new PassThrough();
          // Still open, as a file being read is: the interrupt then stops the reading.
          input.write('customer_id,name,phone\nC1,Asha,9876543210\n');
          const interrupted = new Error('interrupted by SIGINT');
          let running: Promise<unknown> | undefined;
          const interruptWhileOpening = (file: string, flag: string) => async (ended: AbortSignal) => {
            const sink = await openFileSink({ full: join(dir, file), shown: file, flag });
            assert.equal((await readdir(dir)).filter((name) => name.endsWith('.tmp')).length > 0, true);
            input.destroy(interrupted);
            await Promise.race([once(ended, 'abort'), running?.catch(() => undefined)]);
            return sink;
          };
          const opened = async (file: string, flag: string) =>
            openFileSink({ full: join(dir, file), shown: file, flag });
          running = runUrlPipeline({
            ...mode,
            input,
            openOutput:
              which === 'output' ? interruptWhileOpening('out.csv', '--out') : () => opened('out.csv', '--out'),
            openRejects: which === 'rejects' ? interruptWhileOpening('rejects.csv', '--rejects') : undefined,
            format: 'csv',
            base: 'https://b.example',
            auth: { kind: 'none' },
            nextTempCallId: createTempCallIds('t'),
          });
          await assert.rejects(running, interrupted);
          assert.deepEqual((await readdir(dir)).sort(), ['out.csv']);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });

  /**
   * A write that fails only at the end (the disk refuses the last flush when the rejects file is closed) must not
   * leave `--out` replaced without its rejects: every sink is written out before any is kept (run-state.ts finish).
   */
  describe(`a sink that fails at close${label}`, () => {
    it('leaves every target as it was, with no temporary file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'exo-seal-'));
      try {
        await writeFile(join(dir, 'out.csv'), 'old\n');
        const refused = new Error('EIO: the last flush was refused');
        const failingAtClose = async (): Promise<Sink> => {
          const stream = new Writable({
            write: (_chunk, _encoding, callback) => callback(),
            final: (callback) => callback(refused),
          });
          const end = async () => {
            stream.end();
            await finished(stream);
          };
          return { stream, seal: end, close: end };
        };
        const running = runUrlPipeline({
          ...mode,
          input: Readable.from([Buffer.from('customer_id,name,phone\nC1,Asha,9876543210\nC2,Ravi,123\n')]),
          openOutput: () => openFileSink({ full: join(dir, 'out.csv'), shown: 'out.csv', flag: '--out' }),
          openRejects: failingAtClose,
          format: 'csv',
          base: 'https://b.example',
          auth: { kind: 'none' },
          nextTempCallId: createTempCallIds('t'),
        });
        await assert.rejects(running, refused);
        assert.deepEqual((await readdir(dir)).sort(), ['out.csv']);
        assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'old\n');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
