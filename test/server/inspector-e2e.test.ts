/**
 * The inspector through the published bin: `serve` serves the page built into dist/inspector, its keypad
 * (injected by the command) continues a call, `inspect --web --json` hands out the page's URL with serve's token,
 * and SIGTERM stops serve while a browser's event stream is still open. Needs `npm run build` (npm test runs it).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { embeddedServeEnv, runBin, startServe, type RunningServe } from '../support/spawn.ts';

describe('bin/exo-passthru.js serve: the browser inspector (spawned)', () => {
  let cwd: string;
  let serve: RunningServe;
  const env = embeddedServeEnv();
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'exo-inspector-e2e-'));
    serve = await startServe(['--inspect-ring-size', '3'], { env, cwd });
  });
  after(async () => {
    await serve.stop('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  });

  it('opens with inspect --web, continues a call with the keypad, and stops with a stream open', async () => {
    const web = await runBin(['--json', 'inspect', '--web', '--server', serve.url], { env, cwd });
    assert.equal(web.code, 0, web.stderr);
    const page = new URL((JSON.parse(web.stdout) as { url: string }).url);
    assert.equal(`${page.origin}${page.pathname}`, `${serve.url}/_inspect`);
    const token = new URLSearchParams(page.hash.slice(1)).get('token') ?? '';
    const auth = { authorization: `Bearer ${token}` };

    const html = await fetch(page.href.replace(page.hash, ''));
    assert.equal(html.status, 200);
    assert.match(await html.text(), /<script type="module" src="\/_inspect\/assets\/app\.js">/);
    const script = await fetch(`${serve.url}/_inspect/assets/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);

    const events = await fetch(`${serve.url}/_inspect/api/events`, { headers: auth });
    assert.equal(events.status, 200);
    const stream = events.text();

    await fetch(`${serve.url}/passthru-handler?CallSid=e2e-web-1&customer_id=c1&CallFrom=09876543210`).then((r) =>
      r.text(),
    );
    const keys = await fetch(`${serve.url}/_inspect/api/calls/e2e-web-1/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ keys: '1' }),
    });
    assert.equal(keys.status, 200, await keys.clone().text());
    const view = (await (await fetch(`${serve.url}/_inspect/api/calls/e2e-web-1`, { headers: auth })).json()) as {
      exchanges: Array<{ path: string; response: string }>;
    };
    assert.deepEqual(
      view.exchanges.map((e) => e.path),
      ['/passthru-handler', '/gather-response'],
    );
    assert.match(view.exchanges[1]?.response ?? '', /<Dial/);

    assert.equal(await serve.stop('SIGTERM'), 0);
    const frames = await stream;
    assert.equal(frames.match(/^event: exchange$/gm)?.length, 2);
    assert.doesNotMatch(serve.stderr(), new RegExp(token.replace(/[^\w]/g, '.')));
  });
});
