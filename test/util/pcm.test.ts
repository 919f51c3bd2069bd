/**
 * `stream --audio` takes a WAV at 8 or 16 kHz, mono or multi-channel, and turns it into the 8 kHz 16-bit mono
 * PCM Exotel streams (util/pcm.ts). The WAVs are generated here, with what each input must become: sample
 * counts, the downmix as the mean of the channels, the pitch of a tone kept across 16 → 8 kHz; and formats it
 * cannot read refused with a reason (exit 2 from the CLI).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWav, rms } from '../../src/util/pcm.ts';
import { runCli } from '../support/cli.ts';

type Format = { rate: number; channels: number; bits?: number; format?: number };

/** A WAV with a canonical header around `data`, the bytes as given (interleaved frames). */
function wav({ rate, channels, bits = 16, format = 1 }: Format, data: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE((rate * channels * bits) / 8, 28);
  header.writeUInt16LE((channels * bits) / 8, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The same WAV with a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk whose sub-format code is `code`. */
function extensible(plain: Buffer, code: number): Buffer {
  const fmt = Buffer.alloc(40);
  plain.copy(fmt, 0, 20, 36);
  fmt.writeUInt16LE(0xfffe, 0);
  fmt.writeUInt16LE(22, 16);
  fmt.writeUInt16LE(fmt.readUInt16LE(14), 18);
  fmt.writeUInt16LE(code, 24);
  Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  const head = Buffer.from('RIFF\0\0\0\0WAVEfmt \x28\0\0\0', 'latin1');
  const file = Buffer.concat([head, fmt, plain.subarray(36)]);
  file.writeUInt32LE(file.length - 8, 4);
  return file;
}

/** Interleaved 16-bit frames: `channel(c, i)` is channel c's sample i. */
function frames(count: number, channels: number, channel: (c: number, i: number) => number): Buffer {
  const out = Buffer.alloc(count * channels * 2);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < channels; c++) out.writeInt16LE(Math.round(channel(c, i)), (i * channels + c) * 2);
  return out;
}

const sine =
  (hz: number, rate: number, amplitude = 8000) =>
  (_c: number, i: number) =>
    amplitude * Math.sin((2 * Math.PI * hz * i) / rate);

function samples(pcm: Buffer): number[] {
  return Array.from({ length: pcm.length / 2 }, (_, i) => pcm.readInt16LE(i * 2));
}

/** Sign changes: a tone of f Hz crosses zero 2f times a second. */
function zeroCrossings(pcm: Buffer): number {
  const values = samples(pcm).filter((v) => v !== 0);
  let count = 0;
  for (let i = 1; i < values.length; i++) if (Math.sign(values[i] ?? 0) !== Math.sign(values[i - 1] ?? 0)) count++;
  return count;
}

function parsed(file: Buffer): Buffer {
  const result = parseWav(file);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.pcm;
}

describe('parseWav: to 8 kHz 16-bit mono', () => {
  it('8 kHz mono is kept as it is', () => {
    const data = frames(8000, 1, sine(440, 8000));
    assert.deepEqual(parsed(wav({ rate: 8000, channels: 1 }, data)), data);
  });

  it('16 kHz mono: half the samples, a 440 Hz tone still 440 Hz at the same loudness', () => {
    const data = frames(16000, 1, sine(440, 16000));
    const pcm = parsed(wav({ rate: 16000, channels: 1 }, data));
    assert.equal(pcm.length / 2, 8000, 'one second at 8 kHz');
    const crossings = zeroCrossings(pcm);
    assert.ok(Math.abs(crossings - 880) <= 4, `880 ± 4 zero crossings for 440 Hz over 1 s, got ${crossings}`);
    assert.ok(Math.abs(rms(pcm) / rms(data) - 1) < 0.02, `loudness kept: ${rms(pcm)} vs ${rms(data)}`);
  });

  it('16 kHz mono: a 3 kHz tone (below 4 kHz, the 8 kHz Nyquist) keeps its pitch', () => {
    const pcm = parsed(wav({ rate: 16000, channels: 1 }, frames(16000, 1, sine(3000, 16000))));
    const crossings = zeroCrossings(pcm);
    assert.ok(Math.abs(crossings - 6000) <= 30, `6000 ± 30 zero crossings for 3 kHz over 1 s, got ${crossings}`);
  });

  it('16 kHz mono with an odd sample count: the last, unpaired sample is dropped', () => {
    const pcm = parsed(
      wav(
        { rate: 16000, channels: 1 },
        frames(3, 1, (_c, i) => [100, 300, 1000][i] ?? 0),
      ),
    );
    assert.deepEqual(samples(pcm), [200]);
  });

  it('8 kHz stereo with distinct channels: the mean of the two, sample by sample', () => {
    const left = (i: number) => 4000 + i;
    const right = (i: number) => -2000 - 3 * i;
    const data = frames(8000, 2, (c, i) => (c === 0 ? left(i) : right(i)));
    const out = samples(parsed(wav({ rate: 8000, channels: 2 }, data)));
    assert.equal(out.length, 8000);
    for (const i of [0, 1, 999, 7999]) assert.equal(out[i], Math.round((left(i) + right(i)) / 2), `sample ${i}`);
  });

  it('8 kHz stereo, a tone in one channel and silence in the other: the tone at half its amplitude', () => {
    const data = frames(8000, 2, (c, i) => (c === 0 ? sine(440, 8000)(c, i) : 0));
    const pcm = parsed(wav({ rate: 8000, channels: 2 }, data));
    assert.ok(Math.abs(rms(pcm) / (8000 / Math.SQRT2) - 0.5) < 0.01, `half loudness: ${rms(pcm)}`);
    assert.ok(Math.abs(zeroCrossings(pcm) - 880) <= 4);
  });

  it('16 kHz stereo: mixed and halved, the pitch of each channel kept', () => {
    const data = frames(16000, 2, (c, i) => sine(440, 16000, c === 0 ? 8000 : 4000)(c, i));
    const pcm = parsed(wav({ rate: 16000, channels: 2 }, data));
    assert.equal(pcm.length / 2, 8000);
    assert.ok(Math.abs(zeroCrossings(pcm) - 880) <= 4);
    assert.ok(Math.abs(rms(pcm) / (6000 / Math.SQRT2) - 1) < 0.02, `(8000 + 4000) / 2 in phase: ${rms(pcm)}`);
  });

  it('16 kHz stereo, opposite channels: they cancel (a mean, not a sum or one channel)', () => {
    const data = frames(1600, 2, (c, i) => (c === 0 ? 1 : -1) * sine(440, 16000)(c, i));
    assert.equal(rms(parsed(wav({ rate: 16000, channels: 2 }, data))), 0);
  });

  it('WAVE_FORMAT_EXTENSIBLE holding 16-bit PCM is read like plain PCM', () => {
    const data = frames(160, 2, (c) => (c === 0 ? 100 : 300));
    const file = extensible(wav({ rate: 8000, channels: 2 }, data), 1);
    assert.deepEqual(samples(parsed(file)), new Array(160).fill(200));
  });

  it('a trailing partial frame of a stereo file is dropped, not read across channels', () => {
    const data = Buffer.concat([frames(2, 2, (c) => (c === 0 ? 100 : 300)), Buffer.from([0x10, 0x27])]);
    assert.deepEqual(samples(parsed(wav({ rate: 8000, channels: 2 }, data))), [200, 200]);
  });
});

describe('parseWav: what it refuses', () => {
  const tone16 = frames(160, 1, sine(440, 8000));
  const cases: Array<[string, Buffer, RegExp]> = [
    ['24-bit PCM', wav({ rate: 8000, channels: 1, bits: 24 }, Buffer.alloc(480)), /24-bit/],
    ['32-bit float', wav({ rate: 8000, channels: 1, bits: 32, format: 3 }, Buffer.alloc(640)), /float/],
    ['extensible float', extensible(wav({ rate: 8000, channels: 1, bits: 32 }, Buffer.alloc(640)), 3), /float/],
    ['8-bit PCM', wav({ rate: 8000, channels: 1, bits: 8 }, Buffer.alloc(160)), /8-bit/],
    ['48 kHz', wav({ rate: 48000, channels: 1 }, tone16), /48000 Hz.*need 8000 or 16000 Hz/],
    ['no channels', wav({ rate: 8000, channels: 0 }, tone16), /0 channel/],
    ['not RIFF', Buffer.from('ID3\u0004 an mp3, say'), /not a WAV file/],
    ['a header cut inside the fmt chunk', wav({ rate: 8000, channels: 1 }, tone16).subarray(0, 30), /truncated/],
    ['a header cut before the data chunk', wav({ rate: 8000, channels: 1 }, tone16).subarray(0, 36), /no data chunk/],
  ];
  for (const [name, file, reason] of cases)
    it(name, () => {
      const result = parseWav(file);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
});

describe('stream --audio: an unsupported WAV is a usage error (exit 2) that says why', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pcm-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const files: Array<[string, Buffer, RegExp]> = [
    ['24bit.wav', wav({ rate: 8000, channels: 1, bits: 24 }, Buffer.alloc(480)), /24-bit/],
    ['float.wav', wav({ rate: 16000, channels: 1, bits: 32, format: 3 }, Buffer.alloc(640)), /float/],
    ['48k.wav', wav({ rate: 48000, channels: 2 }, Buffer.alloc(640)), /48000 Hz/],
    ['cut.wav', wav({ rate: 8000, channels: 1 }, Buffer.alloc(320)).subarray(0, 30), /truncated/],
  ];
  for (const [name, bytes, reason] of files)
    it(name, async () => {
      await writeFile(join(dir, name), bytes);
      // Nothing listens on port 1: the WAV is read, and refused, before the bot is reached.
      const res = await runCli(['stream', 'ws://127.0.0.1:1/media', '--audio', join(dir, name)]);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, new RegExp(`--audio .*${name}: .*${reason.source}`));
      assert.match(res.stderr, /hint: .*sox/);
    });
});
