/**
 * Write errors on the process's stdout and stderr. EPIPE means the reader went away (`| head -c1`, `| true`):
 * that is how a pipe ends, not a failure, so the run goes on quietly — its writes go nowhere, `inspect --watch`
 * stops (view.ts) — and keeps its own exit code. Any other write error (`> /dev/full`: ENOSPC) turns a run that
 * would exit 0 into exit 1, with one line on stderr (a run that failed already said why). Without a listener,
 * either became an uncaught 'error' event: a stack trace and exit 1.
 */
import type { Writable } from 'node:stream';
import { setImmediate } from 'node:timers';

export type StdioWatch = {
  /** Once what was written has been flushed (or has failed): the exit code to use. */
  finish: (code: number) => Promise<number>;
};

/** Resolves once earlier writes went through or failed, and their 'error' event (emitted on a later tick) ran. */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => setImmediate(resolve);
    if (stream.destroyed || stream.writableEnded) done();
    else stream.write('', done);
  });
}

export function watchStdio(stdout: Writable, stderr: Writable): StdioWatch {
  let failure: { name: string; error: Error } | undefined;
  const listen = (stream: Writable, name: string) =>
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') failure ??= { name, error };
    });
  listen(stdout, 'stdout');
  listen(stderr, 'stderr');
  return {
    async finish(code) {
      await flushed(stdout);
      if (failure === undefined || code !== 0) return code;
      if (failure.name !== 'stderr' && !stderr.destroyed)
        stderr.write(`error: cannot write to ${failure.name}: ${failure.error.message}\n`);
      return 1;
    },
  };
}
