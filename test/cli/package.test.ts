/**
 * The published package: `npm pack` from a fresh clone (no dist/) builds first, and ships the bin, dist/ and the
 * prompts, not the sources or the tests. The clone is a copy of the tracked inputs in a temp directory (the shared
 * node_modules linked in), so the test neither installs nor touches this tree's dist/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, baseEnv } from '../support/spawn.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLONE = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'bin',
  'prompts',
  'src',
  // The build bundles the browser inspector with scripts/build-inspector.ts.
  'scripts',
];

async function run(command: string, args: string[], options: { cwd?: string } = {}) {
  const child = spawn(command, args, { cwd: options.cwd, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm pack from a fresh clone', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-pack-'));
    for (const entry of CLONE) await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds dist/ before packing and ships only what the installed bin needs', async () => {
    const result = await run('npm', ['pack', '--dry-run', '--json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const [pack] = JSON.parse(result.stdout) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    const needs = ['dist/cli/main.js', 'bin/exo-passthru.js', 'prompts/en.json', 'prompts/or.json'];
    // The inspector page, bundled: served offline, nothing from a CDN.
    needs.push('dist/inspector/index.html', 'dist/inspector/app.js', 'dist/inspector/app.css');
    for (const needed of needs) {
      assert.ok(files.includes(needed), `${needed} missing from ${files.length} files`);
    }
    assert.deepEqual(
      files.filter(
        (f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist/inspector-ui') || f.endsWith('.ts'),
      ),
      [],
    );
  });
});

describe('bin on an older Node', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-old-node-'));
    // Node 24 posing as Node 20: the bin's version check is all that runs before it would load dist/.
    const preload =
      "for (const [k, v] of [['versions', { ...process.versions, node: '20.11.0' }], ['version', 'v20.11.0']]) Object.defineProperty(process, k, { value: v });\n";
    await writeFile(join(dir, 'node20.mjs'), preload);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the Node version needed and does not send the user to npx', async () => {
    const result = await run(process.execPath, ['--import', join(dir, 'node20.mjs'), BIN, '--version'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /needs Node\.js 22\.12 or newer/);
    assert.match(result.stderr, /this is v20\.11\.0/);
    assert.match(result.stderr, /install Node/);
    assert.doesNotMatch(result.stderr, /npx/);
    assert.equal(result.stdout, '');
  });
});
