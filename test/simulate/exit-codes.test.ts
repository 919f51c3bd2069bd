/**
 * One exit-code story for `simulate` and `validate`: an error-severity finding fails both (1), a server that is
 * not there or stays silent past the budget is 3 for both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { type Fake, startFake, xml } from '../support/fake-webhook.ts';
import { closedPort } from '../support/services.ts';

const ALICE = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say voice="alice">Hello</Say>\n  <Hangup/>\n</Response>\n';

describe('exit codes: simulate and validate agree', () => {
  let alice: Fake;
  let silent: Fake;
  before(async () => {
    alice = await startFake((_req, res) => xml(res, ALICE));
    silent = await startFake(() => {});
  });
  after(async () => {
    await alice?.close();
    await silent?.close();
  });

  it('an error-severity finding (voice="alice"): 1 for both', async () => {
    const sim = await runCli(['simulate', `${alice.url}/passthru-handler`, '--no-input']);
    assert.match(sim.stdout, /error EXO202/);
    assert.equal(sim.code, 1, sim.stderr);
    const val = await runCli(['validate', `${alice.url}/passthru-handler`]);
    assert.equal(val.code, 1, val.stderr);
  });

  it('a silent server (timeout): 3 for both', async () => {
    const sim = await runCli(['simulate', `${silent.url}/passthru-handler`, '--no-input', '--timeout', '300']);
    assert.equal(sim.code, 3, sim.stderr);
    assert.match(sim.stderr, /--timeout/);
    const val = await runCli(['validate', `${silent.url}/passthru-handler`, '--timeout', '300']);
    assert.equal(val.code, 3, val.stderr);
  });

  it('an unreachable server: 3 for both', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/passthru-handler`;
    assert.equal((await runCli(['simulate', url, '--no-input'])).code, 3);
    assert.equal((await runCli(['validate', url])).code, 3);
  });
});
