/** The durable spool: what an append acknowledged survives a crash, in order, and nothing is replayed twice. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import type { HistoryWrite } from '../../src/stores/ports.ts';
import { createMemorySpool, openFileSpool, SpoolFullError, type Spool } from '../../src/stores/spool.ts';
import { callUpdate } from './history-store.contract.ts';

const write = (n: number): HistoryWrite => ({ id: `w${n}`, at: '2026-01-01T00:00:00.000Z', kind: 'update', update: callUpdate(`CA${n}`) });

describe('file spool', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'exo-spool-'));
  });
  after(() => rm(root, { recursive: true, force: true }));
  let n = 0;
  const dir = () => join(root, `s${++n}`);

  it('appends, reads from the head in order, advances, and truncates once drained', async () => {
    const spool = await openFileSpool({ dir: dir(), maxBytes: 1 << 20 });
    await spool.append([write(1), write(2)]);
    await spool.append([write(3)]);
    assert.equal(spool.count(), 3);
    const first = await spool.read(2);
    assert.deepEqual(first.map((e) => e.write.id), ['w1', 'w2']);
    await spool.advance((first.at(-1) as { end: number }).end, 2);
    assert.equal(spool.count(), 1);
    const rest = await spool.read(10);
    assert.deepEqual(rest.map((e) => e.write.id), ['w3']);
    await spool.advance((rest[0] as { end: number }).end, 1);
    assert.equal(spool.count(), 0);
    assert.equal(spool.bytes(), 0);
    assert.equal((await readFile(join(spool.location, 'history.spool'))).length, 0, 'file truncated');
    await spool.close();
  });

  it('survives a reopen: the head is kept, a half-written last line is dropped', async () => {
    const d = dir();
    const spool = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    await spool.append([write(1), write(2), write(3)]);
    const [one] = await spool.read(1);
    await spool.advance((one as { end: number }).end, 1);
    await spool.close();
    await appendFile(join(d, 'history.spool'), '{"id":"w4","at":"20'); // a crash in the middle of an append
    const again = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    assert.equal(again.count(), 2);
    assert.deepEqual((await again.read(10)).map((e) => e.write.id), ['w2', 'w3']);
    await again.append([write(5)]);
    assert.deepEqual((await again.read(10)).map((e) => e.write.id), ['w2', 'w3', 'w5']);
    await again.close();
  });

  it('refuses an append past maxBytes with SpoolFullError and keeps what it has', async () => {
    const spool = await openFileSpool({ dir: dir(), maxBytes: 400 });
    await spool.append([write(1)]);
    await assert.rejects(spool.append([write(2), write(3), write(4)]), SpoolFullError);
    assert.deepEqual((await spool.read(10)).map((e) => e.write.id), ['w1']);
    await spool.close();
  });

  it('counts dead letters across a reopen', async () => {
    const d = dir();
    const spool = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    await spool.deadLetter({ write: write(1), reason: 'numeric field overflow', code: '22003', at: new Date().toISOString() });
    assert.equal(spool.deadLettered(), 1);
    await spool.close();
    const again = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    assert.equal(again.deadLettered(), 1);
    const letter = JSON.parse((await readFile(join(d, 'dead-letter.jsonl'), 'utf8')).trim()) as { code: string; write: { id: string } };
    assert.equal(letter.code, '22003');
    assert.equal(letter.write.id, 'w1');
    await again.close();
  });

  it('is locked to one live process; a stale lock (dead pid) is taken over', async () => {
    const d = dir();
    const spool = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await spool.close();
    await writeFile(join(d, 'lock'), `${child.pid}\n`);
    await assert.rejects(openFileSpool({ dir: d, maxBytes: 1 << 20 }), (e: unknown) => e instanceof UsageError && /in use by process/.test(e.message));
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const taken: Spool = await openFileSpool({ dir: d, maxBytes: 1 << 20 });
    await taken.close();
  });
});

describe('memory spool', () => {
  it('behaves like the file spool, without durability', async () => {
    const spool = createMemorySpool({ maxBytes: 400 });
    await spool.append([write(1)]);
    await assert.rejects(spool.append([write(2), write(3), write(4)]), SpoolFullError);
    const [one] = await spool.read(5);
    await spool.advance((one as { end: number }).end, 1);
    assert.equal(spool.count(), 0);
  });
});
