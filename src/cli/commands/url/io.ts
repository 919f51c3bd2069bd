/**
 * The files and terminal side of `url`: the CSV from a path or stdin, output files opened only when the
 * pipeline asks, the paths that must not collide, and the cli-progress bar (loaded only when shown).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Sink } from '../../../customers/pipeline.ts';
import { ioMessage, UsageError } from '../../../errors.ts';
import type { CliContext } from '../../context.ts';
import { openFileSink } from './file-sink.ts';

/** "Large" enough for a progress bar: a few seconds of work. */
const PROGRESS_MIN_BYTES = 5 * 1024 * 1024;

const pathOf = (ctx: CliContext, path: string) => (isAbsolute(path) ? path : resolve(join(ctx.io.cwd, path)));

export async function openInput(ctx: CliContext, csv: string): Promise<{ stream: Readable; size: number | undefined }> {
  if (csv === '-') {
    if (ctx.io.stdin.isTTY) throw new UsageError('--csv - reads the CSV from stdin, but stdin is a terminal', { hint: 'exo-passthru url --csv - < customers.csv' });
    return { stream: ctx.io.stdin, size: undefined };
  }
  let handle: FileHandle;
  try {
    handle = await open(pathOf(ctx, csv), 'r');
  } catch (error) {
    throw new UsageError(`cannot read --csv ${csv}: ${ioMessage(error)}`, { cause: error });
  }
  const info = await handle.stat();
  if (info.isDirectory()) {
    await handle.close();
    throw new UsageError(`cannot read --csv ${csv}: is a directory`);
  }
  return { stream: handle.createReadStream(), size: info.size };
}

/** A file sink, opened when the pipeline asks (after the header is accepted), kept only if fully written. */
export function fileSink(ctx: CliContext, path: string, flag: string): () => Promise<Sink> {
  return () => openFileSink({ full: pathOf(ctx, path), shown: path, flag });
}

export function checkPaths(ctx: CliContext, paths: { csv: string; out: string | undefined; rejects: string | undefined }): void {
  const named = [
    ['--csv', paths.csv === '-' ? undefined : paths.csv],
    ['--out', paths.out],
    ['--rejects', paths.rejects],
  ] as const;
  const seen = new Map<string, string>();
  for (const [flag, path] of named) {
    if (path === undefined) continue;
    const full = pathOf(ctx, path);
    const other = seen.get(full);
    if (other) throw new UsageError(`${flag} and ${other} name the same file (${path})`);
    seen.set(full, flag);
  }
}

export async function createProgress(ctx: CliContext, size: number | undefined, wanted: boolean | undefined) {
  const show = wanted ?? (ctx.io.stderr.isTTY === true && size !== undefined && size >= PROGRESS_MIN_BYTES);
  if (!show) return undefined;
  const { default: progress } = await import('cli-progress');
  const known = size !== undefined && size > 0;
  const bar = new progress.SingleBar(
    {
      stream: ctx.io.stderr,
      format: known ? 'url --csv [{bar}] {percentage}% | {rows} rows | ETA {eta_formatted}' : 'url --csv {rows} rows',
      hideCursor: null,
      noTTYOutput: true,
      notTTYSchedule: 2000,
    },
    progress.Presets.shades_classic,
  );
  bar.start(known ? size : 1, 0, { rows: 0 });
  return {
    update: (bytes: number, rows: number) => bar.update(known ? Math.min(bytes, size) : 0, { rows }),
    stop: (bytes: number, rows: number) => {
      bar.update(known ? Math.min(bytes, size) : 0, { rows });
      bar.stop();
    },
  };
}
