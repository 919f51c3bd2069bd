/**
 * Bundle the browser inspector (src/inspector-ui, Preact) into dist/inspector with esbuild: app.js, app.css and
 * index.html, all served by `serve` at /_inspect, nothing fetched from a CDN at run time. `npm run build` runs it
 * after tsc; the browser tests call `buildInspector` with their own folder.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const UI = fileURLToPath(new URL('../src/inspector-ui/', import.meta.url));

export async function buildInspector(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(UI, 'main.tsx')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(UI, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(UI, 'app.css'), join(outDir, 'app.css'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = fileURLToPath(new URL('../dist/inspector/', import.meta.url));
  await buildInspector(out);
  // stderr: `npm pack --json` runs the build (prepack) and its stdout must stay JSON.
  console.error(`built the inspector into ${out}`);
}
