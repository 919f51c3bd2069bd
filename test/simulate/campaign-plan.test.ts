/** The pure parts of `simulate campaign`: the digit mix, its seeded exact assignment, durations, percentiles. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apportion,
  createDigitPlan,
  parseDigitMix,
  parseDurationText,
  type DigitShare,
} from '../../src/simulate/campaign-plan.ts';
import { latencyStats, percentile } from '../../src/simulate/campaign-stats.ts';

function mix(raw: string): DigitShare[] {
  const parsed = parseDigitMix(raw);
  assert.ok(parsed.ok, raw);
  return parsed.value;
}

function counts(plan: (index: number) => DigitShare, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = from; i < to; i++) {
    const { label } = plan(i);
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

describe('campaign digit mix', () => {
  it('parses keys:percent, "none" as no input, spaces ignored, case-insensitive none', () => {
    assert.deepEqual(mix(' 1:40, 2:30 , NONE:30'), [
      { label: '1', keys: '1', weight: 40 },
      { label: '2', keys: '2', weight: 30 },
      { label: 'none', keys: '', weight: 30 },
    ]);
    assert.deepEqual(
      mix('12#:12.5,*:87.5').map((s) => s.keys),
      ['12#', '*'],
    );
    assert.deepEqual(
      mix('1:100,2:0').map((s) => s.label),
      ['1'],
      'a 0% entry plays no call',
    );
  });

  it('rejects what would skew a run silently, naming the data (never a flag)', () => {
    const bad: Array<[string, RegExp]> = [
      ['1:40,2:40', /add up to 80, not 100/],
      ['1:40,2', /"2" is not keys:percent/],
      ['a:100', /"a:100" is not keys:percent/],
      ['1:-5,2:105', /"1:-5" is not keys:percent/],
      ['1:50,1:50', /"1" appears twice/],
      ['', /"" is not keys:percent/],
    ];
    for (const [raw, message] of bad) {
      const parsed = parseDigitMix(raw);
      assert.ok(!parsed.ok, raw);
      assert.match(parsed.message, message);
      assert.doesNotMatch(parsed.message, /--/);
    }
  });

  it('apportion: exact shares, leftovers to the largest remainders, earlier entries win ties', () => {
    assert.deepEqual(apportion(mix('1:50,2:25,none:25'), 200), [100, 50, 50]);
    assert.deepEqual(apportion(mix('1:40,2:30,none:30'), 7), [3, 2, 2]);
    assert.deepEqual(apportion(mix('1:50,2:50'), 1), [1, 0]);
    assert.deepEqual(apportion(mix('1:33.3,2:33.3,3:33.4'), 10), [3, 3, 4]);
  });

  it('a plan holds the exact mix, is the same for the same seed and differs for another', () => {
    const shares = mix('1:50,2:25,none:25');
    const a = createDigitPlan(shares, 'seed-a', 200);
    const again = createDigitPlan(shares, 'seed-a', 200);
    const b = createDigitPlan(shares, 'seed-b', 200);
    assert.deepEqual(counts(a, 0, 200), { 1: 100, 2: 50, none: 50 });
    const labels = (plan: typeof a) => Array.from({ length: 200 }, (_, i) => plan(i).label).join(',');
    assert.equal(labels(a), labels(again));
    assert.notEqual(labels(a), labels(b));
    assert.notEqual(labels(a).slice(0, 100), '1,'.repeat(50).slice(0, 100), 'shuffled, not in blocks of one key');
  });

  it('without a known number of calls the mix is exact in every block', () => {
    const plan = createDigitPlan(mix('1:40,2:30,none:30'), 'x', 100);
    assert.deepEqual(counts(plan, 0, 100), { 1: 40, 2: 30, none: 30 });
    assert.deepEqual(counts(plan, 100, 200), { 1: 40, 2: 30, none: 30 });
  });
});

describe('campaign durations and percentiles', () => {
  it('durations: ms, s, m, h; nonsense and over a day refused', () => {
    assert.deepEqual(parseDurationText('60s'), { ok: true, value: 60_000 });
    assert.deepEqual(parseDurationText('2m'), { ok: true, value: 120_000 });
    assert.deepEqual(parseDurationText('1.5s'), { ok: true, value: 1500 });
    assert.deepEqual(parseDurationText('250ms'), { ok: true, value: 250 });
    for (const raw of ['60', '0s', '-1s', '25h', 'soon']) assert.equal(parseDurationText(raw).ok, false, raw);
  });

  it('nearest-rank percentiles are measured values; no values → null', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(values, 50), percentile(values, 95), percentile(values, 99)], [50, 95, 99]);
    assert.equal(percentile([7], 99), 7);
    assert.deepEqual(latencyStats([30, 10, 20]), { count: 3, p50: 20, p95: 30, p99: 30, max: 30 });
    assert.deepEqual(latencyStats([]), { count: 0, p50: null, p95: null, p99: null, max: null });
  });
});
