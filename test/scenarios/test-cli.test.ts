/**
 * `exo-passthru test` end to end, in-process over real HTTP on 127.0.0.1: failures caught with the right exit code
 * and a readable message, JUnit counts, bad files reported with file:line:col, the fixtures with --start-server.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { runCli } from '../support/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-scenarios-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const PRESS_1 = `name: press 1
customer: { customer_id: t1, customer_name: Riddhi Mittal, loan_id: LOAN12345, amount: 15000, language_code: en }
steps:
  - expect: { say: [Riddhi Mittal] }
  - press: "1"
  - expect: { dial: "07417119014" }
`;

describe('exo-passthru test', () => {
  it('passes the bundled fixtures against the bundled server (--start-server)', async () => {
    const result = await runCli(['test', '--start-server', 'fixtures/scenarios']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /16 scenario\(s\): 16 passed, 0 failed/);
  });

  it('fails a wrong dial number with exit 1 and shows expected vs actual', async () => {
    const file = await scenario('dial.yaml', PRESS_1.replace('07417119014', '09999999999'));
    const result = await runCli(['test', '--start-server', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✗ expect dial/);
    assert.match(result.stdout, /- expected: 09999999999/);
    assert.match(result.stdout, /\+ actual: {3}\+917417119014/);
  });

  it('fails a missing Say text with exit 1', async () => {
    const file = await scenario('say.yaml', PRESS_1.replace('[Riddhi Mittal]', '[Someone Else]'));
    const result = await runCli(['test', '--start-server', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /something said contains "Someone Else"/);
    assert.match(result.stdout, /Hello Riddhi Mittal/);
  });

  it('fails a state mismatch with exit 1', async () => {
    const file = await scenario('state.yaml', `${PRESS_1}state:\n  call: { outcome: declined }\n`);
    const result = await runCli(['test', '--start-server', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✗ state/);
    assert.match(result.stdout, /call\.outcome\n\s+- expected: declined\n\s+\+ actual: {3}agent_transfer/);
  });

  it('exits 3 when the URL is unreachable', async () => {
    const file = await scenario('down.yaml', PRESS_1);
    const result = await runCli(['test', '--url', 'http://127.0.0.1:9/passthru-handler', file]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /connection refused by 127\.0\.0\.1:9/);
  });

  it('exits 2 on malformed YAML with file:line:col', async () => {
    const file = await scenario('bad.yaml', 'name: broken\nsteps:\n  - expect: { say: [a, b }\n');
    const result = await runCli(['test', '--start-server', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.yaml:3:\d+: YAML:/);
  });

  it('exits 2 on an unknown key, at its position', async () => {
    const file = await scenario('unknown.yaml', 'name: typo\nsteps:\n  - expect: { dail: "0741" }\n');
    const result = await runCli(['test', '--start-server', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown\.yaml:3:15: unknown key "dail" in expect \(allowed: status/);
  });

  it('writes JUnit XML whose counts match, failures escaped', async () => {
    const bad = PRESS_1.replace('name: press 1', 'name: "Rao & <Sons> fails"').replace('07417119014', '09999999999');
    const file = await scenario('mixed.yaml', `${PRESS_1}---\n${bad}`);
    const out = join(dir, 'junit.xml');
    const result = await runCli(['test', '--start-server', '--reporter', 'junit', '--out', out, file]);
    assert.equal(result.code, 1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(out, 'utf8'));
    const suite = xml.testsuites.testsuite;
    assert.equal(suite.tests, '2');
    assert.equal(suite.failures, '1');
    assert.equal(suite.errors, '0');
    const failed = suite.testcase.find((t: { name: string }) => t.name === 'Rao &amp; &lt;Sons&gt; fails' || t.name === 'Rao & <Sons> fails');
    assert.ok(failed?.failure, 'the failed testcase has a failure');
    assert.match(String(failed.failure['#text']), /step 3: expect dial/);
  });

  it('--grep picks scenarios by name; --bail stops after the first failure', async () => {
    const bad = PRESS_1.replace('name: press 1', 'name: first bad').replace('07417119014', '09999999999');
    const file = await scenario('bail.yaml', `${bad}---\n${PRESS_1}`);
    const grep = await runCli(['test', '--start-server', '--grep', '^press', file]);
    assert.equal(grep.code, 0, grep.stdout);
    assert.match(grep.stdout, /1 scenario\(s\): 1 passed/);
    const bail = await runCli(['test', '--start-server', '--bail', file]);
    assert.equal(bail.code, 1);
    assert.match(bail.stdout, /1 scenario\(s\): 0 passed, 1 failed/);
  });
});
