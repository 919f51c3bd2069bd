/**
 * Embedded serve starts at once: "starting…" first, listening before PGlite has created its database (seconds
 * on a first run), and a call taken meanwhile reaches history once PGlite is open (spooled, then replayed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { BIN, baseEnv } from '../support/spawn.ts';
import { makeCall } from '../support/inspect-calls.ts';

describe('serve on embedded stores: start-up', () => {
  let cwd: string;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'exo-startup-'));
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints "starting…" at once, listens before PGlite is open, and keeps the history of a call taken meanwhile', async () => {
    const env = baseEnv({ REDIS_URL: '', DATABASE_URL: '', DATA_DIR: '', ADMIN_TOKEN: '', PORT: '' });
    const begun = performance.now();
    const child = spawn(process.execPath, [BIN, '--json', 'serve', '--port', '0'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const listeningMs = performance.now() - begun;
      assert.match(stderr, /^exo-passthru serve starting…\n/);
      // A first run used to take 4-6 s here (PGlite creating its database before the server listened).
      assert.ok(listeningMs < 3000, `listening after ${Math.round(listeningMs)} ms`);
      const { url, port } = JSON.parse(first) as { url: string; port: number };
      await makeCall(url, { sid: 'CAstart1', customerId: 'cust_s', name: 'Asha Rao', phone: '+919876543210', language: 'en-IN', press: '1' });
      const token = (await readFile(join(cwd, '.exo-passthru', `admin-token-${port}`), 'utf8')).trim();
      const deadline = Date.now() + 30_000;
      let outcome: string | undefined;
      while (outcome !== 'agent_transfer' && Date.now() < deadline) {
        const res = await fetch(`${url}/admin/calls/CAstart1`, { headers: { authorization: `Bearer ${token}` } });
        outcome = res.status === 200 ? ((await res.json()) as { call: { outcome?: string } | null }).call?.outcome : undefined;
        if (outcome !== 'agent_transfer') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(outcome, 'agent_transfer', stderr);
      assert.match(stderr, /history: PGlite open \(\d+ ms after start\)/);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, stderr);
    }
  });
});
