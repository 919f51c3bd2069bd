/** Write docs/exoml-codes.md from the code table (`node scripts/gen-codes-doc.ts`); test/exoml/codes-doc.test.ts keeps it in sync. */
import { writeFile } from 'node:fs/promises';
import { renderCodesDoc } from '../src/exoml/codes-doc.ts';

const target = new URL('../docs/exoml-codes.md', import.meta.url);
await writeFile(target, renderCodesDoc());
console.log(`wrote ${target.pathname}`);
