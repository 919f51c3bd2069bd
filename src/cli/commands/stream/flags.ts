/** `stream`'s flag grammars: times (`3s`, `1500ms`), `--dtmf 1@3s,#@5s`, `--custom k=v`, `--expect`. */
import { UsageError } from '../../../errors.ts';
import { STREAM_EXPECT_FORMS, type StreamExpectation } from '../../../stream/expect.ts';
import type { DtmfPress } from '../../../stream/session.ts';

const TIME = /^(\d+(?:\.\d+)?)(ms|s)$/;

export function parseTime(flag: string, raw: string): number {
  const m = TIME.exec(raw.trim());
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(raw)}: expected a time such as 3s, 0.5s or 1500ms`);
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
}

export function parseDtmf(raw: string | undefined): DtmfPress[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const [digit, at] = part.trim().split('@');
    if (digit === undefined || !/^[0-9*#]$/.test(digit) || at === undefined) {
      throw new UsageError(`--dtmf ${JSON.stringify(part)}: expected <key>@<time>, a key 0-9, * or #`, { hint: '--dtmf "1@3s,#@5s"' });
    }
    return { digit, atMs: parseTime('--dtmf', at) };
  });
}

export function parseCustom(values: readonly string[]): Array<[string, string]> {
  return values.map((value): [string, string] => {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--custom ${JSON.stringify(value)}: expected name=value`);
    return [value.slice(0, eq), value.slice(eq + 1)];
  });
}

export function parseExpect(raw: string): StreamExpectation {
  if (raw === 'audio' || raw === 'clear-on-barge-in') return { kind: raw };
  const m = /^latency<(.+)$/.exec(raw);
  if (m?.[1]) return { kind: 'latency', maxMs: parseTime('--expect latency<', m[1]) };
  throw new UsageError(`--expect ${JSON.stringify(raw)}: expected one of ${STREAM_EXPECT_FORMS.join(', ')}`);
}
