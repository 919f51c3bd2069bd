/** One word for "the caller pressed nothing", whichever spelling the user reaches for. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExpectation } from '../../src/cli/commands/simulate/flags.ts';
import { runCli } from '../support/cli.ts';

describe('no-input / no_input', () => {
  it('simulate --expect takes no_input as well as no-input', () => {
    assert.deepEqual(parseExpectation('no_input'), { raw: 'no-input', kind: 'no-input' });
    assert.deepEqual(parseExpectation('no-input'), { raw: 'no-input', kind: 'no-input' });
  });

  it('inspect calls --outcome takes no-input as well as no_input, and names the choices otherwise', async () => {
    const bad = await runCli(['inspect', 'calls', '--outcome', 'hung-up', '--server', 'http://127.0.0.1:9']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--outcome "hung-up": expected one of agent_transfer, declined, no_input, error/);
    // Accepted: the run gets as far as the (closed) server, exit 3, not a usage error.
    for (const spelling of ['no-input', 'no_input']) {
      const res = await runCli(['inspect', 'calls', '--outcome', spelling, '--server', 'http://127.0.0.1:9']);
      assert.equal(res.code, 3, `${spelling}: ${res.stderr}`);
    }
  });
});
