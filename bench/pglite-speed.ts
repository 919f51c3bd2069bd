/**
 * PGlite's own speed, for V8 flags that change how its WebAssembly is compiled (bench/serve-memory.ts measures
 * their memory): opening a new database and an existing one, 2,000 single-row inserts, 200 indexed reads and 20
 * sorted scans of the table, each timed. Compare e.g. `node bench/pglite-speed.ts` with
 * `node --liftoff-only bench/pglite-speed.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteSql } from '../src/stores/pglite-history.ts';

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

const dir = await mkdtemp(join(tmpdir(), 'exo-pglite-speed-'));
try {
  const [create, first] = await timed(() => openPgliteSql({ dataDir: dir }));
  await first.close();
  const [open, sql] = await timed(() => openPgliteSql({ dataDir: dir }));
  await sql.exec(
    'CREATE TABLE calls (sid text PRIMARY KEY, customer text, outcome text, params jsonb, at timestamptz)',
  );
  const [inserts] = await timed(async () => {
    for (let i = 0; i < 2000; i++)
      await sql.query('INSERT INTO calls VALUES ($1, $2, $3, $4, now())', [
        `CA${i}`,
        `cust_${i % 500}`,
        i % 3 === 0 ? 'agent_transfer' : 'declined',
        JSON.stringify({ CallFrom: '09876543210', language_code: 'hi-IN', amount: String(i) }),
      ]);
  });
  const [reads] = await timed(async () => {
    for (let i = 0; i < 200; i++) await sql.query('SELECT * FROM calls WHERE sid = $1', [`CA${i * 7}`]);
  });
  const [scans] = await timed(async () => {
    for (let i = 0; i < 20; i++)
      await sql.query(
        "SELECT customer, count(*), max(params->>'amount') FROM calls GROUP BY customer ORDER BY 2 DESC, 1 LIMIT 50",
      );
  });
  await sql.close();
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.table({
    'create (first run)': ms(create),
    'open (second run)': ms(open),
    '2,000 inserts': ms(inserts),
    '200 reads': ms(reads),
    '20 scans': ms(scans),
    flags: process.execArgv.join(' ') || '(none)',
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
