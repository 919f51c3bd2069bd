/**
 * Write docs/exoml-codes.md, and the code table in README.md, from the code table (`node scripts/gen-codes-doc.ts`);
 * test/cli/codes-doc.test.ts keeps both in sync.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderCodesDoc, updateReadmeCodesTable } from '../src/cli/codes-doc.ts';

const target = new URL('../docs/exoml-codes.md', import.meta.url);
await writeFile(target, renderCodesDoc());
console.log(`wrote ${target.pathname}`);
const readme = new URL('../README.md', import.meta.url);
await writeFile(readme, updateReadmeCodesTable(await readFile(readme, 'utf8')));
console.log(`updated the code table in ${readme.pathname}`);
