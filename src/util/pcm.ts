/**
 * 16-bit little-endian mono PCM at 8 kHz (Exotel's Voicebot audio, docs/exotel-protocol.md §6.3): generated tones,
 * loudness of a frame, and the WAV container read and written by hand. Pure: buffers in, buffers out.
 */
const PCM_RATE = 8000;
/** Bytes per millisecond of 8 kHz 16-bit mono audio. */
export const BYTES_PER_MS = (PCM_RATE * 2) / 1000;

/** One or more sine waves summed, `ms` long, at 8 kHz. */
export function tone(frequencies: readonly number[], ms: number, amplitude = 6000): Buffer {
  const samples = Math.round((PCM_RATE * ms) / 1000);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    let value = 0;
    for (const f of frequencies) value += Math.sin((2 * Math.PI * f * i) / PCM_RATE);
    out.writeInt16LE(Math.round((value / Math.max(1, frequencies.length)) * amplitude), i * 2);
  }
  return out;
}

export function silence(ms: number): Buffer {
  return Buffer.alloc(Math.round((PCM_RATE * ms) / 1000) * 2);
}

/** Root mean square of 16-bit samples: 0 for silence, ~4200 for a tone of amplitude 6000. */
export function rms(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / 2);
  if (samples === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) sum += pcm.readInt16LE(i * 2) ** 2;
  return Math.sqrt(sum / samples);
}

/** A canonical 44-byte-header WAV around 16-bit mono PCM. */
export function wavFile(pcm: Buffer, rate = PCM_RATE): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

type WavFormat = { format: number; channels: number; rate: number; bits: number };

export type ParsedWav = { ok: true; pcm: Buffer; from: WavFormat } | { ok: false; reason: string };

const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The format codes a refusal names, so "32-bit float" reads as such rather than as "format 3". */
const FORMAT_NAMES: Readonly<Record<number, string>> = { 1: 'PCM', 3: 'float', 6: 'A-law', 7: 'µ-law' };

/**
 * The fmt chunk's fields. WAVE_FORMAT_EXTENSIBLE (what many tools write for more than 2 channels or 16 bits)
 * carries the real format code as the first two bytes of its sub-format GUID, 24 bytes into the chunk.
 */
function readFmt(body: Buffer): WavFormat {
  const tag = body.readUInt16LE(0);
  return {
    format: tag === FORMAT_EXTENSIBLE && body.length >= 26 ? body.readUInt16LE(24) : tag,
    channels: body.readUInt16LE(2),
    rate: body.readUInt32LE(4),
    bits: body.readUInt16LE(14),
  };
}

type Chunks = { fmt?: WavFormat; data?: Buffer; shortFmt?: number };

function chunks(file: Buffer): Chunks {
  const found: Chunks = {};
  let at = 12;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    // A data chunk may claim more than the file holds (a recorder stopped early, or a streamed size): the bytes
    // that are there are read. A cut fmt chunk cannot be read at all, and says so.
    const body = file.subarray(at + 8, Math.min(file.length, at + 8 + size));
    if (id === 'fmt ') {
      if (body.length >= 16) found.fmt = readFmt(body);
      else found.shortFmt = body.length;
    } else if (id === 'data') found.data = body;
    at += 8 + size + (size % 2);
  }
  return found;
}

function describeFormat(fmt: WavFormat): string {
  const name = FORMAT_NAMES[fmt.format] ?? `format ${fmt.format}`;
  return `${fmt.rate} Hz, ${fmt.bits}-bit ${name}, ${fmt.channels} channel(s)`;
}

/** Mix interleaved 16-bit channels down to one. */
function mixDown(pcm: Buffer, channels: number): Buffer {
  const frames = Math.floor(pcm.length / (2 * channels));
  const out = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm.readInt16LE((i * channels + c) * 2);
    out.writeInt16LE(Math.round(sum / channels), i * 2);
  }
  return out;
}

/** 16 kHz → 8 kHz: the mean of each pair of samples (a crude low-pass before dropping every other one). */
function halve(pcm: Buffer): Buffer {
  const out = Buffer.alloc(Math.floor(pcm.length / 4) * 2);
  for (let i = 0; i < out.length / 2; i++)
    out.writeInt16LE(Math.round((pcm.readInt16LE(i * 4) + pcm.readInt16LE(i * 4 + 2)) / 2), i * 2);
  return out;
}

/** A WAV file as 8 kHz 16-bit mono PCM: 8 kHz or 16 kHz, 16-bit PCM, mono or multi-channel (mixed). */
export function parseWav(file: Buffer): ParsedWav {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    return { ok: false, reason: 'not a WAV file (no RIFF/WAVE header)' };
  }
  const { fmt, data, shortFmt } = chunks(file);
  if (!fmt && shortFmt !== undefined)
    return { ok: false, reason: `a truncated WAV file: its fmt chunk holds ${shortFmt} of at least 16 bytes` };
  if (!fmt || !data) return { ok: false, reason: `a WAV file with no ${fmt ? 'data' : 'fmt'} chunk (truncated?)` };
  const described = describeFormat(fmt);
  if (fmt.format !== FORMAT_PCM || fmt.bits !== 16 || fmt.channels < 1) {
    return { ok: false, reason: `unsupported WAV (${described}): need 16-bit PCM, 8 or 16 kHz` };
  }
  if (fmt.rate !== 8000 && fmt.rate !== 16000)
    return { ok: false, reason: `unsupported sample rate (${described}): need 8000 or 16000 Hz` };
  const mono = fmt.channels === 1 ? data.subarray(0, data.length - (data.length % 2)) : mixDown(data, fmt.channels);
  return { ok: true, pcm: fmt.rate === 16000 ? halve(mono) : mono, from: fmt };
}
