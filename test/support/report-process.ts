/**
 * Loaded into a spawned CLI with `NODE_OPTIONS=--import=<this file>`: at start-up, every process it becomes (the
 * bin restarts itself in place for some commands) says on stderr what it runs with, so a test can see the settings
 * without /proc, on any system. One line: `process: {"pid":…,"execArgv":[…],"argv":[…],"malloc":{…}}`.
 */
import { isMainThread } from 'node:worker_threads';

// Worker threads (embedded PGlite in memory) load it too: they are not another process.
if (isMainThread)
  process.stderr.write(
    `process: ${JSON.stringify({
      pid: process.pid,
      execArgv: process.execArgv,
      argv: process.argv.slice(1),
      malloc: {
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX,
        MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_,
      },
    })}\n`,
  );
