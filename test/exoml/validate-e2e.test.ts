/** End to end: the real bin (dist/, built by `npm test`) on a file with findings. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runBin } from '../support/spawn.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('bin/exo-passthru.js validate: exit 1, file:line:col on stdout, summary on stderr', async () => {
  const res = await runBin(
    ['validate', 'fixtures/exoml/invalid/EXO202-voice-female.xml', 'fixtures/exoml/valid/tamil-menu.xml'],
    { cwd: ROOT },
  );
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, /^fixtures\/exoml\/invalid\/EXO202-voice-female\.xml:4:8 error EXO202 /m);
  assert.match(res.stdout, /^ {4}hint: use woman\/man/m);
  assert.doesNotMatch(res.stdout, /tamil-menu/);
  assert.match(res.stderr, /1 error, 0 warnings in 2 sources; 1 passed/);
});
