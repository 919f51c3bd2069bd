/**
 * Exotel ignores Passthru bodies (docs/exotel-protocol.md §1.4): simulate says so (SIM002) when a URL named like a
 * Passthru applet's (`…/passthru`) answers ExoML in the ExoML flavour, and whenever a Passthru of an applet flow
 * answers 200 with XML. The project's own ExoML webhook `/passthru-handler` is played without the warning.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { startFake, xml, type Fake } from '../support/fake-webhook.ts';

const EXOML = '<?xml version="1.0"?><Response><Say>Hello</Say><Hangup/></Response>';

let fake: Fake;
let dir: string;
before(async () => {
  fake = await startFake((_req, res) => xml(res, EXOML));
  dir = await mkdtemp(join(tmpdir(), 'exo-passthru-body-'));
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

type Doc = {
  steps: Array<{ applet?: string; findings: Array<{ code: string; severity: string; message: string }> }>;
};

describe('Passthru bodies', () => {
  it('the ExoML flavour notes (info) when …/passthru answers ExoML, not when /passthru-handler does', async () => {
    const warned = await runCli(['--json', 'simulate', `${fake.url}/exotel/passthru`, '--no-input']);
    assert.equal(warned.code, 0, warned.stderr);
    const finding = (JSON.parse(warned.stdout) as Doc).steps[0]?.findings.find((f) => f.code === 'SIM002');
    // Only the URL's name says it is a Passthru applet's (ExoML bots name their start URL /passthru too): an info,
    // shown, that --strict does not fail on. The applet flavour, which knows, warns (below).
    assert.equal(finding?.severity, 'info');
    assert.match(finding?.message ?? '', /^Exotel ignores Passthru bodies/);
    const strict = await runCli(['simulate', `${fake.url}/exotel/passthru`, '--no-input', '--strict']);
    assert.equal(strict.code, 0, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /info SIM002 http\.body Exotel ignores Passthru bodies/);

    const quiet = await runCli(['--json', 'simulate', `${fake.url}/passthru-handler`, '--no-input']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.ok(!(JSON.parse(quiet.stdout) as Doc).steps.some((s) => s.findings.some((f) => f.code === 'SIM002')));
  });

  it('the applet flavour warns when a Passthru answers 200 with ExoML, and still takes the OK branch', async () => {
    await writeFile(
      join(dir, 'xml.yaml'),
      [
        'applets:',
        `  decide: { type: passthru, url: "${fake.url}/hook", on_ok: yes, on_else: no }`,
        '  yes: { type: hangup }',
        '  no: { type: hangup }',
        '',
      ].join('\n'),
    );
    const res = await runCli(['--json', 'simulate', fake.url, '--flow', 'xml.yaml', '--no-input'], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    const doc = JSON.parse(res.stdout) as Doc;
    assert.deepEqual(
      doc.steps.map((s) => s.applet),
      ['decide', 'yes'],
    );
    assert.equal(doc.steps[0]?.findings[0]?.code, 'SIM002');
  });
});
