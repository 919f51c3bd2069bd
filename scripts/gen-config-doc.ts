/**
 * Write the configuration table in README.md from the settings table (`node scripts/gen-config-doc.ts`);
 * test/cli/config-doc.test.ts keeps the two in sync.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { updateReadmeConfigTable } from '../src/cli/config-doc.ts';

const readme = new URL('../README.md', import.meta.url);
await writeFile(readme, updateReadmeConfigTable(await readFile(readme, 'utf8')));
console.log(`updated the configuration table in ${readme.pathname}`);
