/**
 * `stream` spawned: Ctrl-C ends the call as Exotel ends one (a `stop` frame, then a clean close), prints the
 * report, and exits 1 like an interrupted `url --csv` or `simulate campaign`. Requires `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, baseEnv } from '../support/spawn.ts';
import { type BotFrame, startFakeBot } from './fake-bot.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stream-e2e-'));
});
after(() => rm(dir, { recursive: true, force: true }));

type Stop = BotFrame & { sequence_number?: number; stop?: { reason?: string; call_sid?: string } };

for (const json of [false, true]) {
  describe(`stream${json ? ' --json' : ''}, interrupted (spawned)`, () => {
    it('SIGINT: stop (callended) is the last frame, the socket closes cleanly, the report is printed, exit 1', async () => {
      let socketClosed!: (code: number) => void;
      const closeCode = new Promise<number>((resolve) => (socketClosed = resolve));
      let mediaSeen!: () => void;
      const fiveFrames = new Promise<void>((resolve) => (mediaSeen = resolve));
      const bot = await startFakeBot(
        (_frame, { frames }) => {
          if (frames === 5) mediaSeen();
        },
        (ws) => ws.on('close', (code) => socketClosed(code)),
      );
      const record = join(dir, `interrupted-${json}.wav`);
      // Real time and a long --duration: the call is still going when the signal comes.
      const args = [...(json ? ['--json'] : []), 'stream', bot.url, '--duration', '120s', '--call-sid', 'CAint1'];
      const child = spawn(process.execPath, [BIN, ...args, '--record', record], { env: baseEnv(), stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end();
      const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        await Promise.race([
          fiveFrames,
          closed.then(() => assert.fail(`stream ended before the bot heard it:\n${stderr}`)),
        ]);
        child.kill('SIGINT');
        const [code, signal] = await closed;
        assert.equal(signal, null, 'handled, not killed by the signal');
        assert.equal(code, 1, stderr);
        const last = bot.received.at(-1) as Stop;
        assert.equal(last.event, 'stop');
        assert.equal(last.stop?.reason, 'callended');
        assert.equal(last.stop?.call_sid, 'CAint1');
        assert.equal(bot.received.filter((f) => f.event === 'stop').length, 1);
        const media = bot.received.filter((f) => f.event === 'media') as Stop[];
        assert.equal(last.sequence_number, (media.at(-1)?.sequence_number ?? 0) + 1, 'stop follows the last media');
        // A clean close (1000) after stop, not a dropped connection (1006) when the process ends.
        assert.equal(await closeCode, 1000);
        await stat(record);
        if (json) {
          const report = JSON.parse(stdout) as { stopReason: string; caller: { frames: number } };
          assert.equal(report.stopReason, 'interrupted');
          assert.equal(report.caller.frames, media.length);
          const error = JSON.parse(stderr.trim().split('\n').at(-1) ?? '') as { error: { message: string } };
          assert.match(error.error.message, /^interrupted by SIGINT: stop was sent/);
        } else {
          assert.match(stdout, /exotel {2}stop {2}callended \(interrupted\)/);
          assert.match(stdout, /^call: +\d+ ms, stop interrupted; caller 0 ms of audio in \d+ frames/m);
          assert.match(stdout, /violations: none/);
          assert.match(stderr, /error: interrupted by SIGINT: stop was sent; the report covers the \d+ ms played/);
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await bot.close();
      }
    });
  });
}
