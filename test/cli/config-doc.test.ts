/** The settings table is the single source: README's configuration table and serve's flags come from it. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Option } from 'commander';
import { SERVE_SETTINGS } from '../../src/cli/commands/serve.ts';
import { renderReadmeConfigTable } from '../../src/cli/config-doc.ts';
import { SETTING_KEYS, SETTINGS } from '../../src/config.ts';
import { runCli } from '../support/cli.ts';

describe('the settings table', () => {
  it('README.md holds the generated configuration table (run node scripts/gen-config-doc.ts)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(renderReadmeConfigTable()), 'README configuration table is out of date');
    for (const key of SETTING_KEYS) assert.ok(readme.includes(`| \`${SETTINGS[key].env}\` |`), key);
  });

  it('env names, flags and commander attributes are unique', () => {
    const envs = SETTING_KEYS.map((key) => SETTINGS[key].env);
    const flags = SETTING_KEYS.map((key) => new Option(SETTINGS[key].flag).long);
    const attributes = SETTING_KEYS.map((key) => new Option(SETTINGS[key].flag).attributeName());
    for (const list of [envs, flags, attributes]) assert.equal(new Set(list).size, list.length, list.join(' '));
  });

  it('serve --help names every serve flag with its env name', async () => {
    const res = await runCli(['serve', '--help']);
    assert.equal(res.code, 0);
    for (const key of SERVE_SETTINGS) {
      const setting = SETTINGS[key];
      assert.ok(res.stdout.includes(setting.flag), `${setting.flag} in serve --help`);
      assert.match(res.stdout, new RegExp(`env\\s+${setting.env}\\b`), `${setting.env} in serve --help`);
    }
  });
});
