/**
 * `GET /admin/calls/:callSid/scenario`: a call from the exchange log as scenario YAML, behind the admin token;
 * 404 with a JSON error for a call the log does not hold; the YAML parses and replays green with `test`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseScenarios } from '../../src/scenarios/parse.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('GET /admin/calls/:callSid/scenario', () => {
  let server: TestServer;
  let dir: string;
  let sid: string;
  /** `token` null: no Authorization header at all. */
  const get = (path: string, token: string | null = server.adminToken) =>
    fetch(`${server.url}${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'exo-admin-scenario-'));
    const url = `${server.url}/passthru-handler`;
    const played = await runCli(['simulate', url, '--digits', ',1', '--name', 'Meera Iyer', '--phone', '9812312345']);
    assert.equal(played.code, 0, played.stderr);
    sid = server.exchanges.list().at(-1)?.callSid ?? '';
    assert.notEqual(sid, '');
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 without the admin token, and with a wrong one', async () => {
    for (const token of [null, 'wrong-token']) {
      const response = await get(`/admin/calls/${sid}/scenario`, token);
      assert.equal(response.status, 401);
      assert.doesNotMatch(await response.text(), /Meera|9812312345/);
    }
  });

  it('answers 404 with a JSON error for a call the log does not hold', async () => {
    const response = await get('/admin/calls/no-such-call/scenario');
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /no webhook exchanges kept for no-such-call/);
  });

  it('answers the call as redacted YAML that parses and replays green', async () => {
    const response = await get(`/admin/calls/${sid}/scenario`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/yaml; charset=utf-8');
    const yaml = await response.text();
    assert.doesNotMatch(yaml, /Meera|Iyer|9812312345/);
    const [scenario] = parseScenarios(yaml, 'admin.yaml');
    assert.deepEqual(
      scenario?.steps.map((s) => s.kind),
      ['expect', 'no_input', 'expect', 'press', 'expect'],
    );
    assert.equal(scenario?.url, `${server.url}/passthru-handler`);
    const file = join(dir, 'admin.yaml');
    await writeFile(file, yaml);
    const replay = await runCli(['test', file]);
    assert.equal(replay.code, 0, yaml + replay.stdout + replay.stderr);
  });

  it('keeps the phone number and the name with ?pii=1', async () => {
    const response = await get(`/admin/calls/${sid}/scenario?pii=1`);
    assert.equal(response.status, 200);
    const yaml = await response.text();
    assert.match(yaml, /customer_name: Meera Iyer/);
    assert.match(yaml, /from: "09812312345"/);
    assert.match(yaml, /Hello Meera Iyer/);
  });
});
