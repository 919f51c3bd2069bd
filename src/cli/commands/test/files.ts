/**
 * The scenario files a `test` run reads: each argument is a file, a directory (every .yaml / .yml under it) or a
 * glob. A path that names nothing is a usage error (exit 2), so a typo never passes as "0 scenarios".
 */
import { glob, readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { errorMessage, UsageError } from '../../../errors.ts';
import { parseScenarios } from '../../../scenarios/parse.ts';
import type { Scenario } from '../../../scenarios/types.ts';

const SCENARIO_FILE = /\.ya?ml$/i;

async function walk(dir: string): Promise<string[]> {
  const found = await readdir(dir, { recursive: true, withFileTypes: true });
  return found.filter((e) => e.isFile() && SCENARIO_FILE.test(e.name)).map((e) => join(e.parentPath, e.name));
}

async function expand(cwd: string, arg: string): Promise<string[]> {
  const path = isAbsolute(arg) ? arg : join(cwd, arg);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return walk(path);
  if (info?.isFile()) return [path];
  const matches: string[] = [];
  for await (const match of glob(arg, { cwd })) matches.push(isAbsolute(match) ? match : join(cwd, match));
  return matches.filter((m) => SCENARIO_FILE.test(m));
}

/** Every scenario in the files the arguments name, files sorted, scenarios in file order. */
export async function loadScenarios(cwd: string, args: readonly string[]): Promise<Scenario[]> {
  if (args.length === 0) throw new UsageError('give the scenario files: exo-passthru test <file|dir|glob>…', { hint: 'e.g. exo-passthru test scenarios/ or "scenarios/**/*.yaml"' });
  const files = new Set<string>();
  for (const arg of args) {
    const found = await expand(cwd, arg);
    if (found.length === 0) throw new UsageError(`${arg}: no scenario files (.yaml, .yml) there`);
    for (const file of found) files.add(file);
  }
  const scenarios: Scenario[] = [];
  for (const file of [...files].sort()) {
    const rel = relative(cwd, file);
    const shown = rel === '' || rel.startsWith('..') ? file : rel;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${shown}: ${errorMessage(error)}`, { cause: error });
    }
    scenarios.push(...parseScenarios(text, shown));
  }
  return scenarios;
}
