/**
 * What `validate` reads: files (a glob is expanded here when the shell did not), `-` for stdin (bytes), and
 * http(s) URLs. Every file is checked before anything is fetched, so a typo exits 2 without network work.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { glob, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ioMessage, UsageError } from '../../../errors.ts';
import type { CliContext } from '../../context.ts';

export type Source = { label: string; type: 'file'; path: string } | { label: string; type: 'stdin' } | { label: string; type: 'url'; url: string };

export type ReadResult = { bytes: Uint8Array; size: number };

const GLOB_CHARS = /[*?[\]{}]/;

export async function resolveSources(ctx: CliContext, args: readonly string[]): Promise<Source[]> {
  const out: Source[] = [];
  let stdin = false;
  for (const arg of args) {
    if (arg === '-') {
      if (stdin) throw new UsageError("'-' (stdin) can be given only once");
      if (ctx.io.stdin.isTTY) throw new UsageError("'-' reads the document from stdin, but stdin is a terminal", { hint: 'exo-passthru validate - < response.xml' });
      stdin = true;
      out.push({ label: '<stdin>', type: 'stdin' });
    } else if (/^https?:\/\//i.test(arg)) {
      try {
        new URL(arg);
      } catch {
        throw new UsageError(`not a valid URL: ${arg}`);
      }
      out.push({ label: arg, type: 'url', url: arg });
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
      throw new UsageError(`${arg}: only http:// and https:// URLs can be fetched`);
    } else {
      out.push(...(await fileSources(ctx, arg)));
    }
  }
  return out;
}

async function fileSources(ctx: CliContext, arg: string): Promise<Source[]> {
  const path = isAbsolute(arg) ? arg : resolve(ctx.io.cwd, arg);
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${arg} is a directory`, { hint: `give files or a glob: '${arg.replace(/\/$/, '')}/*.xml'` });
    return [{ label: arg, type: 'file', path }];
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!GLOB_CHARS.test(arg)) throw new UsageError(`cannot read ${arg}: ${ioMessage(error)}`, { cause: error });
  }
  const matches: string[] = [];
  for await (const match of glob(arg, { cwd: ctx.io.cwd })) matches.push(match);
  const files: Source[] = [];
  for (const match of matches.sort()) {
    const full = isAbsolute(match) ? match : resolve(ctx.io.cwd, match);
    // Synchronous: thousands of matches each awaiting a thread-pool round trip left the process mostly idle.
    if (statSync(full).isFile()) files.push({ label: match, type: 'file', path: full });
  }
  if (files.length === 0) throw new UsageError(`no file matches ${arg}`);
  return files;
}

/**
 * At most `max` bytes (the real size is still reported), so a huge file is never read whole. Synchronous on
 * purpose: a local file of at most `max` bytes reads in microseconds, while four awaited thread-pool round trips
 * per file (open, stat, read, close) left `validate` of many small files idle most of the time.
 */
export async function readFileCapped(path: string, label: string, max: number): Promise<ReadResult> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(`cannot read ${label}: ${ioMessage(error)}`, { cause: error });
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, max));
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), size };
  } finally {
    closeSync(fd);
  }
}

export async function readStdinCapped(ctx: CliContext, max: number): Promise<ReadResult> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let size = 0;
  for await (const chunk of ctx.io.stdin as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.byteLength;
    if (kept < max) {
      const part = bytes.subarray(0, max - kept);
      chunks.push(part);
      kept += part.byteLength;
    }
  }
  return { bytes: Buffer.concat(chunks), size };
}
