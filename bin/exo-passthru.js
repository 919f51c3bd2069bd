#!/usr/bin/env -S node --
// `--` above: Node scans its whole command line for its own `--env-file`, even after the script, and would exit 9
// with `node: x.env: not found` before the CLI could read its global --env-file; `--` ends Node's options.
import { setFlagsFromString } from 'node:v8';

// Fail clearly on an old Node instead of with a missing-API stack trace (engines: >=22.12). This is the installed
// bin, run by whatever Node the user has: the fix is a newer Node, not npx (the project's pinned Node 24 only
// exists inside a clone of the repository).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `error: exo-passthru needs Node.js 22.12 or newer (24 LTS recommended); this is ${process.version}\n` +
      'hint: install Node.js 24 (https://nodejs.org, or `nvm install 24`), then run exo-passthru again\n',
  );
  process.exit(2);
}

/** The subcommand: the first argument that is not a global option (or the value of --env-file). */
function subcommand(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--env-file') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

// Some settings V8 and glibc read only at start-up: `serve` on embedded PGlite and `url` start again in place with
// theirs (src/cli/startup-tuning.ts says which and why), unless the user chose them. process.execve keeps the PID
// and stdio, and does not return; Node has it since 23.11, not on Windows, where they go on without.
const command = subcommand(process.argv.slice(2));
if ((command === 'serve' || command === 'url') && typeof process.execve === 'function') {
  const { startupRestart } = await import('../dist/cli/startup-tuning.js');
  const plan = startupRestart(command, process.argv.slice(2), process.execArgv, process.env, process.cwd());
  if (plan)
    process.execve(process.execPath, [process.execPath, ...plan.nodeArgs, '--', ...process.argv.slice(1)], plan.env);
}
// V8's allocation-site pretenuring, judging from what survived the first young collections, sends some of
// url's per-record allocations straight to the old generation, where they are garbage by the next row:
// measured at 1,000,000 rows, ~250 KB promoted per scavenge instead of almost none, ~12 MB more heap and
// ~15 MB more peak RSS (npm run bench:url). Turned off before any work, unless the user chose; no output changes.
const PRETENURING = 'allocation-site-pretenuring';
const pretenuringChosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
  arg.includes(PRETENURING),
);
if (command === 'url' && !pretenuringChosen) {
  setFlagsFromString(`--no-${PRETENURING}`);
}
// serve's embedded PGlite (src/stores/pglite-worker.ts) is a 9 MB WebAssembly module. By default V8 compiles it
// with Liftoff and then again with TurboFan, on background threads whose malloc arenas keep much of that memory:
// measured by `npm run bench:memory` (README, "Start-up and memory"), Liftoff only lowers the peak RSS from
// ~730 to ~180 MB and the steady RSS by 55–95 MB, and PGlite's queries took about as long (bench/pglite-speed.ts).
// Set before anything is compiled; V8's flags are the process's, so PGlite's worker thread has them too. The
// two tiering flags are what `--liftoff-only` implies on the command line: set later, the implication is not
// applied, and `--liftoff-only` alone changed nothing (measured). A user who chose a WebAssembly tier
// (`node --no-liftoff-only …`, NODE_OPTIONS) keeps theirs.
const wasmTier = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
  /liftoff|wasm-tier|wasm-dynamic-tiering/.test(arg),
);
if (command === 'serve' && !wasmTier)
  for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) setFlagsFromString(flag);
const { main } = await import('../dist/cli/main.js');
main(process.argv).then((code) => {
  process.exitCode = code;
  // The command has finished. A database driver may still hold a socket to a server that stopped answering
  // (a frozen PostgreSQL never acknowledges the goodbye): do not let it keep the process alive.
  setTimeout(() => process.exit(code), 1000).unref();
});
