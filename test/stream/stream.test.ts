/** `exo-passthru stream` against the bundled Voicebot endpoint and against fake bots that break the rules. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StreamReport } from '../../src/stream/types.ts';
import { silence, tone, wavFile } from '../../src/util/pcm.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { media, startFakeBot } from './fake-bot.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stream-test-'));
  await writeFile(join(dir, 'speech.wav'), wavFile(tone([300], 500)));
  await writeFile(join(dir, 'late-speech.wav'), wavFile(Buffer.concat([silence(300), tone([300], 500)])));
});
after(() => rm(dir, { recursive: true, force: true }));

const report = (stdout: string) => JSON.parse(stdout) as StreamReport & { expectations: Array<{ ok: boolean }> };

describe('stream against the bundled Voicebot endpoint', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('resolves the applet URL, hears the greeting and key tones, answers marks, records the stream', async () => {
    const wav = join(dir, 'bundled.wav');
    const r = await runCli(['--json', 'stream', `${server.url}/exotel/voicebot?lang=hi`, '--fast', '--dtmf', '1@0.2s,#@0.4s', '--idle', '300ms', '--record', wav, '--call-sid', 'CAstream1', '--expect', 'audio']);
    assert.equal(r.code, 0, r.stderr);
    const doc = report(r.stdout);
    assert.deepEqual(doc.violations, []);
    assert.equal(doc.bot.marks, 3);
    assert.equal(doc.bot.marksEchoed, 3);
    assert.equal(doc.stopReason, 'callended');
    assert.equal((await stat(wav)).size, 44 + 1800 * 16);
    await server.writer.settle();
    const call = await server.history.getCall('CAstream1');
    assert.equal(call?.digits, '1#');
    assert.equal(call?.exotel_params.lang, 'hi');
    const kinds = (await server.history.listEvents('CAstream1')).map((e) => e.kind);
    assert.deepEqual(kinds, ['voicebot_start', 'voicebot_dtmf', 'voicebot_dtmf', 'voicebot_stop']);
    assert.equal((await server.sessions.get('CAstream1'))?.state, 'ended');
  });

  it('prints a timeline and a summary', async () => {
    const r = await runCli(['stream', `${server.url}/exotel/voicebot`, '--fast', '--idle', '200ms']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exotel {2}connected/);
    assert.match(r.stdout, /bot {5}mark {2}greeting/);
    assert.match(r.stdout, /violations: none/);
  });
});

describe('stream against fake bots', () => {
  it('a well-behaved bot: exit 0, the recording as long as its audio, a latency figure', async () => {
    const bot = await startFakeBot((frame, { send, frames }) => {
      if (frame.event === 'media' && frames === 27) {
        for (let i = 0; i < 5; i++) send(media(frame.stream_sid, tone([500], 200)));
        send({ event: 'mark', stream_sid: frame.stream_sid, mark: { name: 'reply' } });
      }
    });
    const wav = join(dir, 'good.wav');
    const r = await runCli(['--json', 'stream', bot.url, '--fast', '--audio', join(dir, 'speech.wav'), '--idle', '300ms', '--record', wav, '--expect', 'audio', '--expect', 'latency<1500ms']);
    await bot.close();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = report(r.stdout);
    assert.equal(typeof doc.latencyMs, 'number');
    assert.ok((doc.latencyMs ?? Infinity) < 1500);
    assert.equal((await readFile(wav)).length, 44 + 16000);
    assert.equal(doc.bot.marksEchoed, 1);
    const start = bot.received.find((f) => f.event === 'start');
    assert.ok(start?.start?.stream_sid);
  });

  it('a bot that breaks the chunk rules, sends media before start and unknown events: each is reported, exit 1', async () => {
    const bot = await startFakeBot(
      (frame, { send }) => {
        if (frame.event !== 'start') return;
        send(media(frame.stream_sid, Buffer.alloc(1000)));
        send(media(frame.stream_sid, Buffer.alloc(101_120)));
        send({ event: 'media', stream_sid: frame.stream_sid, media: { payload: 'not base64!' } });
        send({ event: 'hello', stream_sid: frame.stream_sid });
        send('{oops');
      },
      (ws) => ws.send(JSON.stringify(media(undefined, Buffer.alloc(3200)))),
    );
    const r = await runCli(['--json', 'stream', bot.url, '--fast', '--idle', '200ms']);
    await bot.close();
    assert.equal(r.code, 1, r.stderr);
    const rules = new Set(report(r.stdout).violations.map((v) => v.rule));
    for (const rule of ['media-before-start', 'chunk-size', 'chunk-too-small', 'chunk-too-large', 'bad-base64', 'unknown-event', 'bad-json']) {
      assert.ok(rules.has(rule as never), `${rule} in ${[...rules].join(', ')}`);
    }
    assert.ok(report(r.stdout).warnings.some((w) => w.kind === 'no-marks'));
  });

  it('a bot that ignores clear: the barge-in is reported, --expect clear-on-barge-in fails', async () => {
    const bot = await startFakeBot((frame, { send }) => {
      if (frame.event === 'start') for (let i = 0; i < 10; i++) send(media(frame.stream_sid, tone([500], 200)));
    });
    const r = await runCli(['--json', 'stream', bot.url, '--realtime', '--audio', join(dir, 'late-speech.wav'), '--idle', '100ms', '--duration', '1500ms', '--expect', 'clear-on-barge-in']);
    await bot.close();
    assert.equal(r.code, 1, r.stderr);
    const doc = report(r.stdout);
    assert.equal(doc.bargeIns.length, 1);
    assert.equal(doc.bargeIns[0]?.clearedAtMs, undefined);
    assert.ok(doc.warnings.some((w) => w.kind === 'no-clear-on-barge-in'));
  });

  it('a bot that clears when the caller speaks over it passes clear-on-barge-in', async () => {
    let cleared = false;
    const bot = await startFakeBot((frame, { send }) => {
      if (frame.event === 'start') for (let i = 0; i < 10; i++) send(media(frame.stream_sid, tone([500], 200)));
      const loud = frame.event === 'media' && Buffer.from(frame.media?.payload ?? '', 'base64').some((b) => b !== 0);
      if (loud && !cleared) {
        cleared = true;
        send({ event: 'clear', stream_sid: frame.stream_sid });
      }
    });
    const r = await runCli(['--json', 'stream', bot.url, '--realtime', '--audio', join(dir, 'late-speech.wav'), '--idle', '100ms', '--duration', '1500ms', '--expect', 'clear-on-barge-in']);
    await bot.close();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = report(r.stdout);
    assert.ok(doc.bot.clearedMs > 0);
    assert.equal(typeof doc.bargeIns[0]?.clearedAtMs, 'number');
  });
});

describe('stream: usage and unreachable', () => {
  it('exit 3 when nothing listens', async () => {
    const r = await runCli(['stream', 'ws://127.0.0.1:1/media', '--fast']);
    assert.equal(r.code, 3, r.stderr);
  });
  it('exit 2 on a bad flag or an unsupported WAV', async () => {
    assert.equal((await runCli(['stream', 'ws://127.0.0.1:1/x', '--dtmf', '1@soon'])).code, 2);
    const eight = wavFile(Buffer.alloc(100));
    eight.writeUInt16LE(8, 34);
    await writeFile(join(dir, 'eight.wav'), eight);
    const r = await runCli(['stream', 'ws://127.0.0.1:1/x', '--audio', join(dir, 'eight.wav')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unsupported WAV/);
  });
});
