/**
 * The validator's cost grows linearly with the number of attributes on one element: 8× the attributes may cost
 * about 8× the time, never 64×. Measured as a ratio of CPU times inside the test (no absolute bound), the best
 * of a few runs each, taken in turns, so a busy machine weighs on both sides alike. Memory: the worst case the
 * 1 MB size cap lets through is validated in a child process whose V8 heap is capped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateExoml } from '../../src/exoml/validate.ts';
import { bestCpuMs } from '../support/cpu-time.ts';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function manyAttributes(count: number): string {
  const attrs = Array.from({ length: count }, (_, i) => `a${i}="x"`).join(' ');
  return `${DECL}<Response>\n<Say ${attrs}>hi</Say>\n<Hangup/>\n</Response>\n`;
}

describe('validateExoml: attributes per element', { timeout: 120_000 }, () => {
  it('80,000 attributes cost about 8× what 10,000 do (linear, not quadratic)', (t) => {
    const small = manyAttributes(10_000);
    const large = manyAttributes(80_000);
    assert.ok(Buffer.byteLength(large) < 1024 * 1024, 'under the document size cap, so every attribute is looked at');
    validateExoml(small); // warm-up: JIT and parser caches
    let findings = 0;
    const [t10 = 0, t80 = 0] = bestCpuMs(
      3,
      () => validateExoml(small),
      () => {
        findings = validateExoml(large).findings.length;
      },
    );
    assert.ok(findings >= 1, 'the attributes are reported');
    const ratio = t80 / t10;
    t.diagnostic(
      `10,000 attributes: ${t10.toFixed(0)} ms CPU; 80,000: ${t80.toFixed(0)} ms; ratio ${ratio.toFixed(1)}`,
    );
    // Linear is 8; measured 9–17 in CPU time, the top on a loaded machine (the garbage collector works harder on
    // the larger heap). The quadratic lookup measured 115.
    assert.ok(
      ratio < 32,
      `10,000 attributes: ${t10.toFixed(0)} ms CPU; 80,000: ${t80.toFixed(0)} ms; ratio ${ratio.toFixed(1)}`,
    );
  });

  it('the most attributes that fit in 1 MB (140,000) validate within a 128 MB heap', () => {
    const script = `
      import { validateExoml } from ${JSON.stringify(fileURLToPath(new URL('../../src/exoml/validate.ts', import.meta.url)))};
      const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
      const name = (i) => letters[i % 52] + (i >= 52 ? name(Math.floor(i / 52) - 1) : '');
      const attrs = Array.from({ length: 140000 }, (_, i) => name(i) + '=""').join(' ');
      const doc = '<?xml version="1.0" encoding="UTF-8"?>\\n<Response><Say ' + attrs + '>hi</Say><Hangup/></Response>';
      if (Buffer.byteLength(doc) >= 1024 * 1024) throw new Error('over the size cap');
      process.stdout.write(String(validateExoml(doc).findings.length));`;
    const child = spawnSync(process.execPath, ['--max-old-space-size=128', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, '140000');
  });
});
