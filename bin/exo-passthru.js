#!/usr/bin/env node
// Fail clearly on an old Node instead of with a missing-API stack trace (engines: >=22.12; Node 24 is pinned
// in the project, so `npx exo-passthru` and npm scripts already run on it).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: exo-passthru needs Node.js 22.12 or newer (24 LTS recommended); this is ${process.version}\nhint: run it through npx (the project pins Node 24), or install Node 24\n`);
  process.exit(2);
}
const { main } = await import('../dist/cli/main.js');
main(process.argv).then((code) => {
  process.exitCode = code;
});
