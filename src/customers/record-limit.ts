/**
 * A size limit per CSV record, in front of csv-parse. csv-parse's own max_record_size cannot recover: with
 * skip_records_with_error it reports the same record again for every later chunk and drops the rest of each
 * chunk (a 10 MB cell became 146 invented rejects, and the row after it was never read). So this stream follows
 * the CSV structure the way csv-parse reads it (relax_quotes: a quote opens a quoted cell only at the start of a
 * cell, "" inside one is a quote, any other quote closes it; CRLF, LF and CR end records) and, once a record
 * passes the limit, stops passing its bytes on: it drops them up to the record's end and closes the record with
 * one more cell, a marker holding a per-run random token, the number of line breaks dropped (so line numbers
 * stay exact) and whether the record ran to the end of the input (an unclosed quote). Memory: the limit.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

export type OversizedRecord = { droppedLineBreaks: number; ranToEnd: boolean };

export type RecordLimit = {
  stream: Transform;
  /** Bytes read from the input, dropped ones included. */
  bytes: () => number;
  /** The marker of a cut record, read off its last cell; undefined for every other record. */
  oversized: (cells: readonly string[]) => OversizedRecord | undefined;
};

/** What one byte was: cell content, a line break inside a quoted cell, the end of a record, or the LF of a CRLF. */
type Step = 'content' | 'break' | 'end' | 'tail';

/** The CSV structure, byte by byte, as csv-parse sees it with relax_quotes. */
function createScanner(delimiter: Buffer) {
  // The bytes that can change the structure; every other byte is plain cell content (the fast path).
  const special = new Uint8Array(256);
  for (const b of [QUOTE, CR, LF, ...delimiter]) special[b] = 1;
  // A one-byte delimiter need not stop skip(): outside a quoted cell it only tells whether the next byte starts a
  // cell, which the byte before the stop tells as well; inside one it is content. Stopping at every comma was
  // most of this stream's cost (a profile of a million rows: 270 ms).
  const single = delimiter.length === 1 ? (delimiter[0] as number) : -1;
  const stops = new Uint8Array(256);
  for (const b of single < 0 ? [QUOTE, CR, LF, ...delimiter] : [QUOTE, CR, LF]) stops[b] = 1;
  let quoting = false;
  // A quote inside a quoted cell: an escaped quote ("") or the closing one; the next byte decides.
  let quotePending = false;
  let cellStart = true;
  let afterCR = false;
  let delimiterAt = 0;
  return {
    step(b: number): Step {
      if (special[b] === 0 && !quotePending) {
        afterCR = false;
        if (!quoting) {
          cellStart = false;
          delimiterAt = 0;
        }
        return 'content';
      }
      const wasCR = afterCR;
      afterCR = b === CR;
      if (quoting) {
        if (!quotePending) {
          if (b === QUOTE) quotePending = true;
          return b === CR || (b === LF && !wasCR) ? 'break' : 'content';
        }
        quotePending = false;
        if (b === QUOTE) return 'content';
        quoting = false;
      }
      if (b === LF && wasCR) return 'tail';
      if (b === CR || b === LF) {
        cellStart = true;
        delimiterAt = 0;
        return 'end';
      }
      if (b === QUOTE && cellStart) {
        quoting = true;
        cellStart = false;
        return 'content';
      }
      delimiterAt = b === delimiter[delimiterAt] ? delimiterAt + 1 : b === delimiter[0] ? 1 : 0;
      cellStart = delimiterAt === delimiter.length;
      if (cellStart) delimiterAt = 0;
      return 'content';
    },
    /**
     * Step over plain cell content (and one-byte delimiters) from `from`, at most `max` bytes: what step() would
     * do byte by byte for bytes that change nothing but where a cell starts. Returns where it stopped (a byte
     * that matters).
     */
    skip(chunk: Buffer, from: number, max: number): number {
      if (quotePending) return from;
      const end = Math.min(chunk.length, from + max);
      let i = from;
      while (i < end && stops[chunk[i] as number] === 0) i++;
      if (i > from) {
        afterCR = false;
        if (!quoting) {
          cellStart = chunk[i - 1] === single;
          delimiterAt = 0;
        }
      }
      return i;
    },
    /** After a BOM csv-parse strips, the first cell starts afresh. */
    restart() {
      cellStart = true;
      delimiterAt = 0;
    },
    /** Whether csv-parse could take a closing sequence now (it is not waiting to see what follows a quote). */
    settled: () => !quotePending,
    quoting: () => quoting,
    unclosed: () => quoting && !quotePending,
  };
}

/** Passes records on, cutting the ones past the limit: `scan` for each chunk, `end` at the end of the input. */
function createCutter(options: { maxBytes: number; delimiter: string }, prefix: string) {
  const scanner = createScanner(Buffer.from(options.delimiter));
  let bomAt = 0;
  let recordBytes = 0;
  let cut: { quoting: boolean; breaks: number } | undefined;

  /** Close the cut record for csv-parse: end its quoted cell if one was open, add the marker cell, end the line. */
  const closing = (end: string, ranToEnd: boolean) => {
    const open = cut?.quoting ? '"' : '';
    return Buffer.from(`${open}${options.delimiter}"${prefix}${cut?.breaks ?? 0}:${ranToEnd ? 1 : 0}"${end}`);
  };

  const scan = (chunk: Buffer, push: (part: Buffer) => void) => {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      // Most bytes are plain cell content well inside the limit: skip them in one tight loop.
      if (cut === undefined && bomAt < 0) {
        const to = scanner.skip(chunk, i, options.maxBytes - recordBytes);
        recordBytes += to - i;
        i = to;
        if (i === chunk.length) break;
      }
      const b = chunk[i] as number;
      const step = scanner.step(b);
      if (bomAt >= 0) bomAt = b === BOM[bomAt] ? bomAt + 1 : -1;
      if (bomAt === BOM.length) {
        bomAt = -1;
        scanner.restart();
        recordBytes = 0;
      } else if (cut !== undefined) {
        if (step === 'break') cut.breaks += 1;
        if (step !== 'end') continue;
        // Same record end as the input's, so a CRLF stays one line end when its LF follows.
        push(closing(b === CR ? '\r' : '\n', false));
        cut = undefined;
        recordBytes = 0;
        from = i + 1;
      } else if (step === 'end' || step === 'tail') {
        recordBytes = 0;
      } else if (++recordBytes > options.maxBytes && scanner.settled()) {
        push(chunk.subarray(from, i + 1));
        cut = { quoting: scanner.quoting(), breaks: 0 };
        from = chunk.length;
      }
    }
    if (cut === undefined && from < chunk.length) push(chunk.subarray(from));
  };
  return { scan, end: () => (cut === undefined ? undefined : closing('', scanner.unclosed())) };
}

export function createRecordLimit(options: { maxBytes: number; delimiter: string }): RecordLimit {
  const prefix = `exo-passthru:oversized:${randomBytes(12).toString('hex')}:`;
  const cutter = createCutter(options, prefix);
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      cutter.scan(chunk, (part) => this.push(part));
      callback();
    },
    flush(callback: TransformCallback) {
      const last = cutter.end();
      if (last) this.push(last);
      callback();
    },
  });
  return {
    stream,
    bytes: () => bytes,
    oversized(cells) {
      const last = cells.at(-1);
      if (last === undefined || !last.startsWith(prefix)) return undefined;
      const [breaks, end] = last.slice(prefix.length).split(':');
      return { droppedLineBreaks: Number(breaks), ranToEnd: end === '1' };
    },
  };
}
