/**
 * The browser inspector in a real browser: Debian's Chromium, headless, driven by playwright-core. Without
 * /usr/bin/chromium this suite fails (`.ci/run` installs it); it never skips. The page is built from
 * src/inspector-ui with the same esbuild step as `npm run build`, into a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildInspector } from '../../scripts/build-inspector.ts';
import { simulateCall } from '../../src/simulate/call.ts';
import { createDigitSource } from '../../src/simulate/digits.ts';
import { buildFirstRequest } from '../../src/simulate/exotel-request.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';
// Every run saves the call view in .test-output/ (ignored by git); UPDATE_SCREENSHOT=1 refreshes the README's copy.
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOT ? '../../docs/inspector.png' : '../../.test-output/inspector.png',
    import.meta.url,
  ),
);
const WAIT = { timeout: 15_000 };

/**
 * One call played by the simulate engine against the server. The caller hangs up at the first Gather, so the call
 * is left waiting there. The customer's name is "undefined", as a CRM export writes a missing value: the greeting
 * speaks it, and the validator flags it (EXO404).
 */
async function playCall(server: TestServer, callSid: string): Promise<void> {
  const now = new Date();
  const record = await simulateCall({
    first: buildFirstRequest({
      url: `${server.url}/passthru-handler`,
      callSid,
      customer: { customer_id: 'CUST-7', customer_name: 'undefined', loan_id: 'LN-42', amount: '15000' },
      phone: '+919876543210',
      exophone: '+918047112233',
      startedAt: now,
      now,
    }),
    input: createDigitSource({ groups: [], hangupAt: 0 }),
    timeoutMs: 5000,
  });
  assert.equal(record.steps.length, 1);
  assert.equal(record.outcome.kind, 'hangup');
}

describe('browser inspector in Chromium', () => {
  let server: TestServer;
  let assets: string;
  let browser: Browser;
  let page: Page;
  let context: BrowserContext;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    assets = await mkdtemp(join(tmpdir(), 'inspector-ui-'));
    await buildInspector(assets);
    server = await startTestServer({ inspectorAssets: assets, loopbackOnly: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    context = await browser.newContext({
      viewport: { width: 1440, height: 1100 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    context.setDefaultTimeout(WAIT.timeout);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (assets) await rm(assets, { recursive: true, force: true });
  });

  it('without the token the page shows no data, only the token form', async () => {
    await playCall(server, 'CA-before-token');
    const apiCalls: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/_inspect/api/')) apiCalls.push(res.status());
    });
    await page.goto(`${server.url}/_inspect`);
    await page.getByLabel('Admin token').waitFor(WAIT);
    assert.equal(await page.getByText('CA-before-token').count(), 0);
    assert.deepEqual(apiCalls, []);

    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor(WAIT);
    assert.equal(await page.getByText('CA-before-token').count(), 0);
    page.removeAllListeners('response');
  });

  it('takes the token from the fragment, shows a new call live, its finding, and continues it with the keypad', async () => {
    // A new tab, as `inspect --web` opens: sessionStorage is per tab.
    await page.close();
    page = await context.newPage();
    await page.goto(`${server.url}/_inspect#token=${encodeURIComponent(server.adminToken)}`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => location.hash), '');
    assert.equal(await page.evaluate(() => sessionStorage.length), 1);

    // Played after the page loaded: it appears through the event stream, without a reload.
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await playCall(server, 'CA-live-0001');
    const row = page.getByRole('button', { name: /CA-live-0001/ });
    await row.waitFor(WAIT);
    assert.deepEqual(navigations, []);

    await row.click();
    const answer = page.getByRole('region', { name: 'answer to GET /passthru-handler' });
    await answer.waitFor(WAIT);
    const flagged = answer.locator('.line.flagged');
    await flagged.first().waitFor(WAIT);
    assert.match((await flagged.first().textContent()) ?? '', /<Say voice="woman" language="en">Hello undefined/);
    assert.match((await answer.getByRole('note').first().textContent()) ?? '', /EXO404 warning at \d+:\d+/);
    // The caller's number is masked until asked.
    assert.equal(await page.getByText('09876543210').count(), 0);
    assert.ok((await page.getByText('******3210').count()) > 0);

    await page.getByRole('button', { name: 'key 1' }).click();
    await page.getByRole('button', { name: 'Send keys' }).click();
    const dial = page.getByRole('region', { name: 'answer to POST /gather-response' });
    await dial.waitFor(WAIT);
    await dial.getByText('<Dial').waitFor(WAIT);
    assert.equal(await page.getByRole('region', { name: 'Keypad' }).count(), 0);
    assert.deepEqual(navigations, []);

    // The call from its top: the stores side by side, then the webhooks.
    await page.getByRole('heading', { name: 'Call CA-live-0001' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
  });

  it('copies a request as curl, masked as shown', async () => {
    const first = page.getByRole('article', { name: 'GET /passthru-handler' });
    await first.getByRole('button', { name: 'Copy as curl' }).click();
    await page.getByRole('status').filter({ hasText: 'curl command copied' }).waitFor(WAIT);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^curl -sS -X GET 'http:\/\/127\.0\.0\.1:\d+\/passthru-handler\?/);
    assert.match(copied, /CallSid=CA-live-0001/);
    assert.ok(!copied.includes('9876543210'), copied);
  });

  it('copies the call as a test scenario, or says plainly that the server has no scenario for it', async () => {
    const endpoint = await fetch(`${server.url}/admin/calls/CA-live-0001/scenario`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    await page.getByRole('button', { name: 'Copy as test scenario' }).click();
    if (endpoint.status === 404) {
      await page.getByRole('status').filter({ hasText: 'the server answered 404' }).waitFor(WAIT);
      return;
    }
    await page.getByRole('status').filter({ hasText: 'test scenario copied' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await endpoint.text());
  });

  it('filters the calls, and works from the keyboard alone', async () => {
    const filter = page.getByLabel('Filter calls');
    await filter.fill('before-token');
    await page.getByText('1 of 2 calls').waitFor(WAIT);
    assert.equal(await page.getByRole('button', { name: /CA-live-0001/ }).count(), 0);
    await filter.focus();
    await page.keyboard.press('Tab');
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /CA-before-token/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Call CA-before-token' }).waitFor(WAIT);
    await page.getByRole('region', { name: 'Keypad' }).waitFor(WAIT);
  });
});
