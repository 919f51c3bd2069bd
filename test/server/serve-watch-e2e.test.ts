/**
 * `serve --watch` (spawned): a changed prompts file or .env is used by the next call; a request in flight when it
 * changes finishes on the old prompts, and a call begun before it completes; a broken prompts file or .env keeps
 * what was running, with an error line; a setting only a restart applies is named.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { find, parseResponse } from '../support/exoml.ts';
import { pollUntil } from '../support/services.ts';
import { embeddedServeEnv, type RunningServe, startServe } from '../support/spawn.ts';

let cwd: string;
let serve: RunningServe;
const env = embeddedServeEnv({
  SPOOL_DIR: '',
  PORT: '',
  HOST: '',
  BRAND_NAME: '',
  PROMPTS_DIR: '',
});

const menu = (text: string) => JSON.stringify({ menu: text });

before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'exo-watch-'));
  await mkdir(join(cwd, 'my-prompts'));
  await writeFile(join(cwd, 'my-prompts', 'en.json'), menu('Old menu: press 1.'));
  await writeFile(join(cwd, '.env'), 'BRAND_NAME=Acme Loans\n');
  serve = await startServe(['--watch', '--prompts-dir', 'my-prompts'], { env, cwd });
});
after(async () => {
  assert.equal(await serve?.stop(), 0, serve?.stderr());
  await rm(cwd, { recursive: true, force: true });
});

/** The Say texts of a first Passthru hit for CallSid `sid`. */
async function greet(sid: string): Promise<string[]> {
  const res = await fetch(`${serve.url}/passthru-handler?CallSid=${sid}&customer_id=c-${sid}&customer_name=Asha`);
  assert.equal(res.status, 200);
  return find(parseResponse(await res.text()), 'Say').map((say) => say.text);
}

/** Wait for the n-th line of stderr matching `pattern` (reloads are logged; no sleeps). */
async function logged(pattern: RegExp, count: number): Promise<void> {
  await pollUntil(async () => (serve.stderr().match(new RegExp(pattern, 'gm')) ?? []).length >= count, {
    timeoutMs: 10_000,
    message: `no ${count}× ${pattern} in:\n${serve.stderr()}`,
  });
}

const reloads = () => (serve.stderr().match(/^reload: /gm) ?? []).length;

describe('serve --watch', () => {
  it('the next call speaks a changed prompt; a request in flight and a call begun before finish on the old', async () => {
    await logged(/^watching .*\.env and .*my-prompts\/$/, 1);
    assert.ok((await greet('CAw1')).includes('Old menu: press 1.'));

    // A request in flight: its headers are sent (so the running app has it), its body is not finished.
    const inFlight = request(`${serve.url}/passthru-handler`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answered = once(inFlight, 'response') as Promise<[IncomingMessage]>;
    await new Promise<void>((resolve, reject) =>
      inFlight.write('CallSid=CAw2&customer_id=c-w2&', (error) => (error ? reject(error) : resolve())),
    );
    // A round trip on another connection, begun after those bytes were written: the server has read them by now.
    assert.ok((await greet('CAw1b')).includes('Old menu: press 1.'));

    const before = reloads();
    await writeFile(join(cwd, 'my-prompts', 'en.json'), menu('New menu: press 1 for Asha.'));
    await logged(/^reload: applied prompts$/, 1);
    assert.equal(reloads(), before + 1);

    inFlight.end('customer_name=Ravi');
    const [response] = await answered;
    let text = '';
    for await (const chunk of response) text += String(chunk);
    assert.equal(response.statusCode, 200, text);
    const says = find(parseResponse(text), 'Say').map((say) => say.text);
    assert.ok(says.includes('Old menu: press 1.'), `in flight: ${says.join(' | ')}`);

    // The call begun before the change goes on to its end.
    const gather = await fetch(`${serve.url}/gather-response`, {
      method: 'POST',
      body: new URLSearchParams({ CallSid: 'CAw1', DigitsPressed: '1' }),
    });
    assert.equal(gather.status, 200);
    assert.equal(find(parseResponse(await gather.text()), 'Dial').length, 1);

    assert.ok((await greet('CAw3')).includes('New menu: press 1 for Asha.'));
  });

  it('a broken prompts file keeps the running prompts, with an error line', async () => {
    await writeFile(join(cwd, 'my-prompts', 'en.json'), '{"menu": "half a file');
    await logged(
      /^error: reload: prompts not applied, serve keeps the prompts and settings it had: .*not valid JSON/,
      1,
    );
    assert.ok((await greet('CAw4')).includes('New menu: press 1 for Asha.'));
    await writeFile(join(cwd, 'my-prompts', 'en.json'), JSON.stringify({ menu: 'Hi {nobody}' }));
    await logged(/^error: reload: prompts not applied.*unknown placeholder \{nobody\}/, 1);
    assert.ok((await greet('CAw5')).includes('New menu: press 1 for Asha.'));
    // Fixed again: applied again (a reload reads .env and prompts together, so nothing else applies meanwhile).
    await writeFile(join(cwd, 'my-prompts', 'en.json'), menu('Fixed menu.'));
    await logged(/^reload: applied prompts$/, 2);
    assert.ok((await greet('CAw5b')).includes('Fixed menu.'));
  });

  it('.env: a changed setting is used by the next call, a broken one keeps the old, HOST needs a restart', async () => {
    assert.ok((await greet('CAw6')).some((text) => text.includes('Acme Loans')));
    await writeFile(join(cwd, '.env'), 'BRAND_NAME=Zenith Finance\n');
    await logged(/^reload: applied BRAND_NAME$/, 1);
    assert.ok((await greet('CAw7')).some((text) => text.includes('Zenith Finance')));

    await writeFile(join(cwd, '.env'), 'BRAND_NAME=Zenith Finance\nSESSION_TTL=soon\n');
    await logged(/^error: reload: \.env not applied, serve keeps its settings and prompts: .*SESSION_TTL/, 1);
    assert.ok((await greet('CAw8')).some((text) => text.includes('Zenith Finance')));

    await writeFile(join(cwd, '.env'), 'BRAND_NAME=Zenith Finance\nHOST=0.0.0.0\n');
    await logged(/^reload: restart needed: HOST changed, but only a restart applies it/, 1);
    assert.ok(
      (await greet('CAw9')).some((text) => text.includes('Zenith Finance')),
      'still listening',
    );
  });
});
