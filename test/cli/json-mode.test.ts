/**
 * `--json` means JSON: url's rows on stdout without --out, and every error as one `{"error":{code,message,hint}}` line
 * on stderr (stdout stays the result alone).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

type ErrorDoc = { error: { code: string; message: string; hint?: string } };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-json-'));
  await writeFile(join(dir, 'c.csv'), 'customer_id,name,phone\nC1,Asha,9876543210\nC2,Ravi,9876543211\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function onlyError(stderr: string): ErrorDoc {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line on stderr, got: ${stderr}`);
  const doc = JSON.parse(lines[0] ?? '') as ErrorDoc;
  assert.equal(typeof doc.error.code, 'string');
  assert.equal(typeof doc.error.message, 'string');
  return doc;
}

describe('--json', () => {
  it('url --csv without --out: one JSON object per row on stdout', async () => {
    const res = await runCli(['--json', 'url', '--csv', 'c.csv'], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    const rows = res.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(rows.map((r) => r.customer_id), ['C1', 'C2']);
  });

  it('a usage error from the parser (unknown option) is one JSON error object, exit 2', async () => {
    const res = await runCli(['--json', 'serve', '--redis', 'redis://x']);
    assert.equal(res.code, 2);
    const doc = onlyError(res.stderr);
    assert.equal(doc.error.code, 'E_USAGE');
    assert.match(doc.error.message, /unknown option '--redis'/);
    assert.equal(res.stdout, '');
  });

  it("a command's usage error is one JSON error object with its hint", async () => {
    const res = await runCli(['--json', 'url'], { cwd: dir });
    assert.equal(res.code, 2);
    const doc = onlyError(res.stderr);
    assert.equal(doc.error.code, 'E_USAGE');
    assert.match(doc.error.message, /nothing to do/);
    assert.equal(doc.error.hint, 'exo-passthru url --help');
  });

  it('a missing file is one JSON error object', async () => {
    const res = await runCli(['--json', 'validate', 'nope.xml'], { cwd: dir });
    assert.equal(res.code, 2);
    assert.match(onlyError(res.stderr).error.message, /nope\.xml/);
  });
});

describe('unknown options', () => {
  it('serve --redis: did you mean --redis-url?', async () => {
    const res = await runCli(['serve', '--redis', 'redis://127.0.0.1:6379']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /Did you mean --redis-url or --redis-prefix\?/);
  });
});
