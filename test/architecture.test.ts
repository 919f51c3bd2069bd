/** The layering rules of docs/architecture.md, checked on the import lines of src/. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

type SourceFile = { path: string; text: string; imports: Array<{ spec: string; typeOnly: boolean; dynamic: boolean }> };

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.tsx')) out.push(full);
  }
  return out;
}

async function sources(): Promise<SourceFile[]> {
  const files = await walk(SRC);
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8');
      const imports: SourceFile['imports'] = [];
      for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        imports.push({ spec: m[3] ?? '', typeOnly: Boolean(m[2]), dynamic: false });
      }
      for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
        imports.push({ spec: m[1] ?? '', typeOnly: false, dynamic: false });
      for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g))
        imports.push({ spec: m[1] ?? '', typeOnly: false, dynamic: true });
      return { path: relative(SRC, file).replaceAll('\\', '/'), text, imports };
    }),
  );
}

/** The one server file the browser page may import, and only its types (rule 8): the shapes of the inspector API. */
const VIEW_TYPES = 'server/inspect-view.ts';

const resolveTo = (from: string, spec: string) =>
  spec.startsWith('.') ? join(from, '..', spec).replaceAll('\\', '/') : spec;
const DRIVERS = ['ioredis', 'pg', '@electric-sql/pglite'];
const isDriver = (spec: string) => DRIVERS.some((d) => spec === d || spec.startsWith(`${d}/`));

/** One import cycle of the graph (file → its relative imports, all kinds), as a path that ends where it starts; undefined when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string): string[] | undefined => {
    if (onPath.has(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return undefined;
    path.push(file);
    onPath.add(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
    return undefined;
  };
  for (const file of [...graph.keys()].sort()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture rules', () => {
  it('1. nothing outside cli/ imports cli/', async () => {
    for (const file of await sources()) {
      if (file.path.startsWith('cli/')) continue;
      for (const imp of file.imports)
        assert.ok(!resolveTo(file.path, imp.spec).startsWith('cli/'), `${file.path} imports ${imp.spec}`);
    }
  });

  it('2. exotel/, exoml/ and domain/ are leaves: no I/O modules, no process, no console', async () => {
    const io =
      /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls)$|^(undici|express|ioredis|pg|@electric-sql\/pglite)$/;
    for (const file of await sources()) {
      if (!file.path.startsWith('exotel/') && !file.path.startsWith('exoml/') && !file.path.startsWith('domain/'))
        continue;
      for (const imp of file.imports) assert.ok(!io.test(imp.spec), `${file.path} imports ${imp.spec}`);
      assert.doesNotMatch(file.text, /\bprocess\.|\bconsole\./, `${file.path} touches process/console`);
    }
  });

  it('3. server/ sees stores only through ports.ts and never imports simulate/', async () => {
    for (const file of await sources()) {
      if (!file.path.startsWith('server/')) continue;
      for (const imp of file.imports) {
        const target = resolveTo(file.path, imp.spec);
        assert.ok(!target.startsWith('simulate/'), `${file.path} imports ${imp.spec}`);
        if (target.startsWith('stores/')) assert.equal(target, 'stores/ports.ts', `${file.path} imports ${imp.spec}`);
      }
    }
  });

  it('3a. server/ loads no simulate/ code through other folders either (type imports aside)', async () => {
    const files = await sources();
    const known = new Set(files.map((file) => file.path));
    const loads = new Map(
      files.map((file) => [
        file.path,
        file.imports
          .filter((imp) => !imp.typeOnly)
          .map((imp) => resolveTo(file.path, imp.spec))
          .filter((target) => known.has(target)),
      ]),
    );
    for (const start of [...known].filter((path) => path.startsWith('server/'))) {
      const seen = new Set<string>([start]);
      const queue: Array<{ file: string; via: string[] }> = [{ file: start, via: [start] }];
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        assert.ok(!item.file.startsWith('simulate/'), `server/ loads simulate/ code: ${item.via.join(' → ')}`);
        for (const next of loads.get(item.file) ?? []) {
          if (seen.has(next)) continue;
          seen.add(next);
          queue.push({ file: next, via: [...item.via, next] });
        }
      }
    }
  });

  it('3b. simulate/ talks to servers only over HTTP: it never imports server/ or stores/ (types from ports aside)', async () => {
    for (const file of await sources()) {
      if (!file.path.startsWith('simulate/')) continue;
      for (const imp of file.imports) {
        const target = resolveTo(file.path, imp.spec);
        assert.ok(!target.startsWith('server/'), `${file.path} imports ${imp.spec}`);
        assert.ok(!target.startsWith('stores/') || imp.typeOnly, `${file.path} imports ${imp.spec}`);
        assert.ok(!/^(express|ioredis|pg|@electric-sql\/pglite)$/.test(imp.spec), `${file.path} imports ${imp.spec}`);
      }
    }
  });

  it('3d. appflow/ walks flows over HTTP only: no server/, stores/, simulate/ or cli/ (the mock Calls API uses it)', async () => {
    for (const file of await sources()) {
      if (!file.path.startsWith('appflow/')) continue;
      for (const imp of file.imports) {
        const target = resolveTo(file.path, imp.spec);
        for (const banned of ['server/', 'stores/', 'simulate/', 'cli/'])
          assert.ok(!target.startsWith(banned), `${file.path} imports ${imp.spec}`);
      }
    }
  });

  it('3c. the commands load the heavy libraries lazily: undici and the server only when a command runs', async () => {
    for (const file of await sources()) {
      if (!file.path.startsWith('cli/commands/')) continue;
      for (const imp of file.imports) {
        const target = resolveTo(file.path, imp.spec);
        const heavy =
          imp.spec === 'undici' ||
          imp.spec === 'express' ||
          target.startsWith('server/') ||
          target === 'stores/open.ts';
        assert.ok(!heavy || imp.typeOnly || imp.dynamic, `${file.path} imports ${imp.spec} eagerly`);
      }
    }
  });

  it('4. only stores/ import database drivers, and only lazily (type imports aside)', async () => {
    for (const file of await sources()) {
      for (const imp of file.imports) {
        if (!isDriver(imp.spec)) continue;
        assert.ok(file.path.startsWith('stores/'), `${file.path} imports ${imp.spec}`);
        assert.ok(imp.typeOnly || imp.dynamic, `${file.path} imports ${imp.spec} eagerly`);
      }
    }
  });

  it('5. no process.env outside cli/ and config.ts', async () => {
    for (const file of await sources()) {
      if (file.path.startsWith('cli/') || file.path === 'config.ts') continue;
      assert.doesNotMatch(file.text, /process\.env/, `${file.path} reads process.env`);
    }
  });

  it('6. the import graph of src/ has no cycle (type-only and lazy imports count too)', async () => {
    const files = await sources();
    const known = new Set(files.map((file) => file.path));
    const graph = new Map(
      files.map((file) => [
        file.path,
        file.imports.map((imp) => resolveTo(file.path, imp.spec)).filter((target) => known.has(target)),
      ]),
    );
    const cycle = findCycle(graph);
    assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' → ')}`);
  });

  it('8. inspector-ui/ is the browser page: it imports only preact, its own files and (type-only) the server view types, and nothing imports it', async () => {
    const files = await sources();
    assert.ok(
      files.some((file) => file.path === 'inspector-ui/main.tsx'),
      'inspector-ui/main.tsx is read',
    );
    for (const file of files) {
      for (const imp of file.imports) {
        const target = resolveTo(file.path, imp.spec);
        if (file.path.startsWith('inspector-ui/')) {
          // `import type` statements are erased by esbuild; `import { type X }` is not a type-only statement here.
          const viewTypes = imp.typeOnly && !imp.dynamic && target === VIEW_TYPES;
          const allowed =
            target.startsWith('inspector-ui/') || imp.spec === 'preact' || imp.spec.startsWith('preact/') || viewTypes;
          assert.ok(allowed, `${file.path} imports ${imp.spec}`);
        } else {
          assert.ok(!target.startsWith('inspector-ui/'), `${file.path} imports ${imp.spec}`);
        }
      }
    }
  });
});
