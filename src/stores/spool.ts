/**
 * The durable spool: history writes that cannot reach the database right now are appended to a local
 * append-only file (JSON lines, fsync'd per batch) and replayed from its head, in order, once the database is
 * back — or at the next start, so a crash (SIGKILL, the OOM killer) loses nothing that was answered.
 *
 * Files in the spool directory:
 * - `history.spool`       the writes, one JSON line each, oldest first;
 * - `history.spool.head`  the byte offset up to which writes are committed (written to a temporary file,
 *                         fsync'd and renamed, so it is never half-written);
 * - `dead-letter.jsonl`   writes the database refused for good, each once, with the reason;
 * - `lock`                the pid of the process using the directory: two servers must not share a spool.
 *
 * A line cut short by a crash during an append was never acknowledged, so it is dropped at open. The spool is
 * bounded by `maxBytes`: an append that would pass it fails with SpoolFullError instead of dropping older data.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, UsageError } from '../errors.ts';
import type { HistoryWrite } from './ports.ts';

type SpoolEntry = { write: HistoryWrite; end: number };
type DeadLetter = { write: HistoryWrite; reason: string; code: string | undefined; at: string };

export interface Spool {
  readonly location: string;
  /** Durable once resolved; rejects with SpoolFullError when the bytes would pass the bound. */
  append(writes: readonly HistoryWrite[]): Promise<void>;
  /** Up to `max` writes from the head, each with the offset just past it. */
  read(max: number): Promise<SpoolEntry[]>;
  /** The `writes` entries up to offset `end` are committed; an emptied spool is truncated. */
  advance(end: number, writes: number): Promise<void>;
  /** Resolves when no append is in flight. */
  idle(): Promise<void>;
  appending(): boolean;
  count(): number;
  bytes(): number;
  readonly maxBytes: number;
  deadLetter(letter: DeadLetter): Promise<void>;
  deadLettered(): number;
  close(): Promise<void>;
}

export class SpoolFullError extends AppError {
  constructor(maxBytes: number) {
    super(`full: ${maxBytes} bytes of history writes are waiting for the database`, { code: 'E_SPOOL_FULL', component: 'spool', setting: 'spoolMaxBytes' });
    this.name = 'SpoolFullError';
  }
}

function encode(writes: readonly HistoryWrite[]): Buffer {
  return Buffer.from(writes.map((w) => `${JSON.stringify(w)}\n`).join(''), 'utf8');
}

/** In memory: for tests and `--data-dir memory`, where nothing is meant to survive the process. */
export function createMemorySpool(options: { maxBytes?: number } = {}): Spool {
  const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  let entries: Array<{ write: HistoryWrite; size: number; end: number }> = [];
  let tail = 0;
  let head = 0;
  const letters: DeadLetter[] = [];
  return {
    location: 'memory',
    maxBytes,
    append: async (writes) => {
      const size = encode(writes).length;
      if (tail - head + size > maxBytes) throw new SpoolFullError(maxBytes);
      for (const write of writes) {
        const bytes = encode([write]).length;
        tail += bytes;
        entries.push({ write, size: bytes, end: tail });
      }
    },
    read: async (max) => entries.slice(0, max).map(({ write, end }) => ({ write, end })),
    advance: async (end) => {
      entries = entries.filter((e) => e.end > end);
      head = Math.max(head, end);
    },
    idle: async () => {},
    appending: () => false,
    count: () => entries.length,
    bytes: () => tail - head,
    deadLetter: async (letter) => {
      letters.push(letter);
    },
    deadLettered: () => letters.length,
    close: async () => {},
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `dir/lock` for this process, or fail clearly when a live process holds it. */
async function takeLock(dir: string): Promise<string> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new UsageError(`the history spool ${dir} is in use by process ${pid}`, {
          hint: 'two servers cannot share a spool: give this one a spool directory of its own',
          component: 'spool',
          setting: 'spoolDir',
        });
      }
      await rm(path, { force: true });
    }
  }
  throw new UsageError(`cannot lock the history spool ${dir}`);
}

/** Count the complete lines after `head`; a trailing partial line (a crash mid-append) is cut off. */
async function scan(file: FileHandle, head: number): Promise<{ count: number; size: number }> {
  const { size } = await file.stat();
  let count = 0;
  let lastNewline = head - 1;
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let position = head; position < size; ) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    for (let i = buffer.indexOf(10, 0); i !== -1 && i < bytesRead; i = buffer.indexOf(10, i + 1)) {
      count += 1;
      lastNewline = position + i;
    }
    position += bytesRead;
  }
  const complete = lastNewline + 1;
  if (complete < size) {
    await file.truncate(complete);
    await file.sync();
  }
  return { count, size: Math.max(complete, head) };
}

export type FileSpoolOptions = { dir: string; maxBytes: number };

export async function openFileSpool(options: FileSpoolOptions): Promise<Spool> {
  const { dir, maxBytes } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockPath = await takeLock(dir);
  const dataPath = join(dir, 'history.spool');
  const headPath = join(dir, 'history.spool.head');
  const deadPath = join(dir, 'dead-letter.jsonl');
  const file = await open(dataPath, 'a+', 0o600);
  let head = Number.parseInt((await readFile(headPath, 'utf8').catch(() => '0')).trim(), 10);
  if (!Number.isSafeInteger(head) || head < 0 || head > (await file.stat()).size) head = 0;
  const scanned = await scan(file, head);
  let tail = scanned.size;
  let count = scanned.count;
  let dead = (await readFile(deadPath, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').length;
  let inFlight: Promise<unknown> = Promise.resolve();
  let appends = 0;

  /** File operations run one at a time, so a truncate never meets an append. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = inFlight.then(fn, fn);
    inFlight = run.catch(() => {});
    return run;
  };

  const writeHead = async (value: number) => {
    const tmp = `${headPath}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${value}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, headPath);
  };

  return {
    location: dir,
    maxBytes,
    append: (writes) => {
      appends += 1;
      return serial(async () => {
        const data = encode(writes);
        if (tail - head + data.length > maxBytes) throw new SpoolFullError(maxBytes);
        await file.write(data, 0, data.length, null);
        await file.datasync();
        tail += data.length;
        count += writes.length;
      }).finally(() => {
        appends -= 1;
      });
    },
    read: async (max) => {
      const out: SpoolEntry[] = [];
      let position = head;
      let pending = Buffer.alloc(0);
      const chunk = Buffer.allocUnsafe(1 << 18);
      while (out.length < max && position < tail) {
        const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, tail - position), position);
        if (bytesRead === 0) break;
        const start = position - pending.length;
        pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        position += bytesRead;
        let from = 0;
        for (let nl = pending.indexOf(10); nl !== -1 && out.length < max; nl = pending.indexOf(10, from)) {
          out.push({ write: JSON.parse(pending.subarray(from, nl).toString('utf8')) as HistoryWrite, end: start + nl + 1 });
          from = nl + 1;
        }
        pending = pending.subarray(from);
      }
      return out;
    },
    advance: (end, writes) =>
      serial(async () => {
        if (end <= head) return;
        head = Math.min(end, tail);
        count = Math.max(0, count - writes);
        if (head === tail) {
          await file.truncate(0);
          await file.sync();
          head = 0;
          tail = 0;
          count = 0;
        }
        await writeHead(head);
      }),
    idle: () => serial(async () => {}),
    appending: () => appends > 0,
    count: () => count,
    bytes: () => tail - head,
    deadLetter: async (letter) => {
      const handle = await open(deadPath, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(letter)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      dead += 1;
    },
    deadLettered: () => dead,
    close: async () => {
      await serial(async () => {});
      await file.close();
      await rm(lockPath, { force: true });
    },
  };
}
