/** The code table is the single source: docs/exoml-codes.md is generated from it and must match. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { renderCodesDoc, renderReadmeCodesTable } from '../../src/cli/codes-doc.ts';
import { CODE_GROUPS, CODES } from '../../src/exoml/codes.ts';

describe('the code table', () => {
  it('docs/exoml-codes.md equals the generated text (run node scripts/gen-codes-doc.ts)', async () => {
    const committed = await readFile(new URL('../../docs/exoml-codes.md', import.meta.url), 'utf8');
    assert.equal(committed, renderCodesDoc());
  });

  it('README.md holds the same table of every code (run node scripts/gen-codes-doc.ts)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(renderReadmeCodesTable()), 'README code table is out of date');
    for (const c of CODES) assert.ok(readme.includes(`| ${c.code} |`), c.code);
  });

  it('codes are unique, well-formed, in a group, with a title and a hint', () => {
    const seen = new Set<string>();
    for (const c of CODES) {
      assert.match(c.code, /^EXO\d{3}$/);
      assert.ok(!seen.has(c.code), `duplicate ${c.code}`);
      seen.add(c.code);
      assert.ok(CODE_GROUPS.some((g) => c.code.startsWith(g.prefix)), c.code);
      assert.ok(c.title.length > 0 && c.hint.length > 0, c.code);
    }
  });

  it('codes are listed in ascending order', () => {
    const codes = CODES.map((c) => c.code);
    assert.deepEqual(codes, [...codes].sort());
  });
});
