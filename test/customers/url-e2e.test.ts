/**
 * End to end through the real bin: `url --csv -` reads stdin and writes stdout after the bin restarts itself in
 * place with a small young generation, V8's gc exposed and one malloc arena (bin/exo-passthru.js), and keeps the exit code; a
 * user's own --max-semi-space-size is respected.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { baseEnv, runBin } from '../support/spawn.ts';

const CSV = 'customer_id,name,phone,amount\nC1,Asha Rao,98765 43210,"₹15,000/-"\nC2,Bad Phone,12345,100\n';

describe('bin: url --csv', () => {
  let dir: string;
  let probe: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-url-e2e-'));
    // Preloaded into every node process of the run: each says which V8 flags it was started with.
    probe = join(dir, 'probe.mjs');
    await writeFile(
      probe,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the probe's own source, a template literal run by node.
      "process.stderr.write(`node-process execArgv=[${process.execArgv.filter((a) => !a.startsWith('--import')).join(' ')}]\\n`);\n",
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads stdin, writes the accepted rows, exits 1 for the rejected one; url restarts with --max-semi-space-size=4', async () => {
    const env = baseEnv({ NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` });
    const res = await runBin(['url', '--csv', '-', '--base-url', 'https://bot.example.com', '--format', 'ndjson'], {
      env,
      input: CSV,
    });
    assert.equal(res.code, 1, res.stderr);
    const rows = res.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(
      rows.map((r) => [r.customer_id, r.phone, r.amount]),
      [['C1', '+919876543210', '15000']],
    );
    assert.match(res.stderr, /2 rows read.*1 accepted, 1 rejected \(phone_invalid 1\)/);
    const processes = res.stderr.split('\n').filter((line) => line.startsWith('node-process'));
    assert.deepEqual(processes, [
      'node-process execArgv=[]',
      'node-process execArgv=[--max-semi-space-size=4 --expose-gc]',
    ]);
  });

  it("a user's own --max-semi-space-size is kept: the restart adds only gc and the malloc setting, or nothing", async () => {
    const NODE_OPTIONS = `--max-semi-space-size=8 --import=${pathToFileURL(probe).href}`;
    const processes = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('node-process'));
    const res = await runBin(['url', '--csv', '-', '--format', 'urls', '--allow-rejects'], {
      env: baseEnv({ NODE_OPTIONS }),
      input: CSV,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim().split('\n').length, 1);
    // Restarted for --expose-gc and MALLOC_ARENA_MAX, without the default young generation flag: the user's stays
    // in NODE_OPTIONS.
    assert.deepEqual(processes(res.stderr), ['node-process execArgv=[]', 'node-process execArgv=[--expose-gc]']);
    const chosen = await runBin(['url', '--csv', '-', '--format', 'urls', '--allow-rejects'], {
      env: baseEnv({ NODE_OPTIONS: `--expose-gc ${NODE_OPTIONS}`, MALLOC_ARENA_MAX: '2' }),
      input: CSV,
    });
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.deepEqual(processes(chosen.stderr), ['node-process execArgv=[]'], 'everything chosen: no restart');
  });
});
