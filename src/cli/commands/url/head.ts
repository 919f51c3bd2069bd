/**
 * Read the first line of a CSV stream without losing it: the chunks read to find it are replayed in front of the
 * rest, so the pipeline sees every byte. Errors (and a destroy on Ctrl-C) of the source still reach the pipeline.
 */
import { Readable } from 'node:stream';

const MAX_HEAD_BYTES = 64 * 1024;

export async function peekHead(source: Readable): Promise<{ head: string; stream: Readable }> {
  const iterator: AsyncIterator<Buffer | string> = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < MAX_HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    length += chunk.length;
    if (chunk.includes(10) || chunk.includes(13)) break;
  }
  // The source's errors (and a destroy on a signal) surface from iterator.next(); an early stop closes the source.
  async function* replay() {
    yield* chunks;
    if (done) return;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  return { head: Buffer.concat(chunks).toString('utf8'), stream };
}
