/**
 * `npm run demo`: start `exo-passthru serve` on embedded defaults (in-memory sessions, in-memory PGlite) on a
 * free port, play one call against it with `exo-passthru simulate --digits 1`, then stop the server with SIGTERM.
 * Runs with nothing installed but the npm packages.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/exo-passthru.js', import.meta.url));
const env = { ...process.env, REDIS_URL: '', DATABASE_URL: '', DATA_DIR: 'memory' };

const server = spawn(process.execPath, [bin, '--json', 'serve', '--port', '0'], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
server.stderr.pipe(process.stderr);
const lines = createInterface({ input: server.stdout });
const [first] = (await Promise.race([once(lines, 'line'), once(server, 'exit').then(() => [undefined])])) as [
  string | undefined,
];
if (first === undefined) {
  console.error('serve did not start');
  process.exit(1);
}
const { url } = JSON.parse(first) as { url: string };

const call = async (args: string[]) => {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
};

const args = [
  `${url}/passthru-handler`,
  '--digits',
  '1',
  '--name',
  'Riddhi Mittal',
  '--customer-id',
  'cust_123',
  '--loan-id',
  'LOAN12345',
  '--amount',
  '15000',
  '--due-date',
  '2025-08-11',
  '--language',
  'hi-IN',
  '--expect',
  'dial',
];
process.stdout.write(`\n$ exo-passthru simulate ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}\n`);
const code = await call(['simulate', ...args]);
server.kill('SIGTERM');
const [exit] = (await once(server, 'exit')) as [number | null];
process.stdout.write(`\nserver stopped (exit ${exit})\n`);
process.exitCode = code || (exit ?? 1);
