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

const server = spawn(process.execPath, [bin, '--json', 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
server.stderr.pipe(process.stderr);
const lines = createInterface({ input: server.stdout });
const [first] = (await Promise.race([once(lines, 'line'), once(server, 'exit').then(() => [undefined])])) as [string | undefined];
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

let code = 0;
const hasSimulate = (await call(['simulate', '--help']).catch(() => 1)) === 0;
if (hasSimulate) {
  process.stdout.write(`\n$ exo-passthru simulate ${url}/passthru-handler --digits 1 --name "Riddhi Mittal" --language hi-IN --amount 15000\n`);
  code = await call(['simulate', `${url}/passthru-handler`, '--digits', '1', '--name', 'Riddhi Mittal', '--customer-id', 'cust_123', '--loan-id', 'LOAN12345', '--amount', '15000', '--due-date', '2025-08-11', '--language', 'hi-IN']);
} else {
  const passthru = await fetch(`${url}/passthru-handler?CallSid=demo${Date.now()}&customer_id=cust_123&customer_name=Riddhi+Mittal&loan_id=LOAN12345&amount=15000&due_date=2025-08-11&language_code=hi-IN`);
  const greeting = await passthru.text();
  process.stdout.write(`\n--- GET /passthru-handler → ${passthru.status}\n${greeting}`);
  const action = /action="([^"]+)"/.exec(greeting)?.[1]?.replace(/&amp;/g, '&');
  if (action) {
    const gather = await fetch(action, { method: 'POST', body: new URLSearchParams({ DigitsPressed: '1' }) });
    process.stdout.write(`\n--- POST /gather-response DigitsPressed=1 → ${gather.status}\n${await gather.text()}`);
  }
}
server.kill('SIGTERM');
const [exit] = (await once(server, 'exit')) as [number | null];
process.stdout.write(`\nserver stopped (exit ${exit})\n`);
process.exitCode = code || (exit ?? 1);
