/** `simulate --record` saves the call as a scenario that `test` replays green against the same server. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'exo-record-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it('a call recorded with simulate --record replays green with test', async () => {
  const file = join(dir, 'call.yaml');
  const url = `${server.url}/passthru-handler`;
  const recorded = await runCli(['simulate', url, '--digits', ',2', '--name', 'Rao & <Sons>', '--record', file]);
  assert.equal(recorded.code, 0, recorded.stderr);
  const text = await readFile(file, 'utf8');
  assert.match(text, /customer_name: Rao & <Sons>/);
  assert.match(text, /- no_input: null\n {2}- expect:/);
  assert.match(text, /- press: "2"/);
  const replay = await runCli(['test', file]);
  assert.equal(replay.code, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /1 scenario\(s\): 1 passed, 0 failed/);
});
