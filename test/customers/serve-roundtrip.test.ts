/**
 * `url --csv` output through a real `serve` (createApp + listen on 127.0.0.1:0):
 * - every CustomField, sent the way Exotel sends it to a static passthru URL, greets that customer by name, in
 *   the customer's language, with the loan and the amount; the session holds exactly that customer;
 * - every dev-shape passthru_url is accepted with its key= and greets the same customer;
 * - `--sign`: every signed URL is accepted; an edited customer field, an added one, a removed sig, or an expired
 *   exp → 401.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatRupees } from '../../src/exotel/customer.ts';
import { parseLanguageCode } from '../../src/exotel/language.ts';
import { find, parseResponse, type XmlNode } from '../support/exoml.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));
const KEY = 'roundtrip-key-ਕੁੰਜੀ';
type Row = Record<string, string>;

async function generate(extra: string[]): Promise<Row[]> {
  const res = await runCli(
    [
      'url',
      '--csv',
      join(FIXTURES, 'customers-50.csv'),
      '--format',
      'ndjson',
      '--base-url',
      'https://bot.example.com',
      ...extra,
    ],
    {
      env: { WEBHOOK_KEY: KEY },
    },
  );
  assert.equal(res.code, 0, res.stderr);
  return res.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

/** The same path and query on the test server, plus the CallSid Exotel adds. */
function onServer(
  server: TestServer,
  passthruUrl: string,
  callSid: string,
  edit?: (params: URLSearchParams) => void,
): string {
  const url = new URL(passthruUrl);
  edit?.(url.searchParams);
  // Rebuild with encodeURIComponent (URLSearchParams.toString would re-encode spaces as +; both must work).
  const query = [...url.searchParams].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${server.url}${url.pathname}?${query}&CallSid=${callSid}`;
}

function assertGreets(root: XmlNode, row: Row, label: string) {
  const says = root.children.filter((node) => node.name === 'Say');
  const [greeting, reminder] = says;
  const short = parseLanguageCode(row.language_code);
  assert.ok(short, `${label}: language ${row.language_code}`);
  assert.equal(greeting?.attrs.language, short, `${label}: greeted in ${row.language_code}`);
  assert.ok(
    greeting?.text.includes(row.customer_name ?? '\u0000'),
    `${label}: greeting names ${row.customer_name}: ${greeting?.text}`,
  );
  assert.ok(reminder?.text.includes(row.loan_id ?? '\u0000'), `${label}: reminder has the loan id`);
  assert.ok(
    reminder?.text.includes(formatRupees(Number(row.amount))),
    `${label}: reminder has ${formatRupees(Number(row.amount))}: ${reminder?.text}`,
  );
  assert.equal(find(root, 'Gather').length, 1, label);
}

describe('serve greets every customer of url --csv', () => {
  let server: TestServer;
  let rows: Row[];
  before(async () => {
    server = await startTestServer({ webhookKey: KEY });
    rows = await generate([]);
  });
  after(async () => {
    await server.close();
  });

  it('from the CustomField on a static passthru URL (the production shape)', async () => {
    assert.equal(rows.length, 50);
    for (const [i, row] of rows.entries()) {
      const callSid = `cf${i}`;
      const query = new URLSearchParams({
        key: KEY,
        CallSid: callSid,
        CallFrom: '09999999999',
        CustomField: row.custom_field ?? '',
      });
      const res = await fetch(`${server.url}/passthru-handler?${query}`);
      const body = await res.text();
      assert.equal(res.status, 200, `${row.customer_id}: ${body}`);
      assertGreets(parseResponse(body), row, row.customer_id ?? '');
      const session = await server.sessions.get(callSid);
      assert.deepEqual(session?.customer, {
        customer_id: row.customer_id,
        customer_name: row.customer_name,
        phone: row.phone,
        loan_id: row.loan_id,
        amount: Number(row.amount),
        due_date: row.due_date,
        language_code: row.language_code,
        state: row.state,
        temp_call_id: row.temp_call_id,
      });
    }
  });

  it('from the dev-shape passthru_url with its key=', async () => {
    for (const [i, row] of rows.entries()) {
      const res = await fetch(onServer(server, row.passthru_url ?? '', `qs${i}`));
      const body = await res.text();
      assert.equal(res.status, 200, `${row.customer_id}: ${body}`);
      assertGreets(parseResponse(body), row, row.customer_id ?? '');
      assert.equal((await server.sessions.get(`qs${i}`))?.customer?.phone, row.phone);
    }
  });
});

describe('url --sign against serve', () => {
  let server: TestServer;
  let expired: TestServer;
  let rows: Row[];
  before(async () => {
    rows = await generate(['--sign', '--expires-in', '1h']);
    server = await startTestServer({ webhookKey: KEY });
    // Two hours on: every URL signed for one hour has expired.
    expired = await startTestServer({ webhookKey: KEY, now: () => new Date(Date.now() + 2 * 3600_000) });
  });
  after(async () => {
    await server.close();
    await expired.close();
  });

  const status = async (url: string) => (await fetch(url)).status;

  it('signed URLs carry exp and sig and no key', () => {
    assert.equal(rows.length, 50);
    for (const row of rows) {
      const params = new URL(row.passthru_url ?? '').searchParams;
      assert.equal(params.get('key'), null);
      assert.match(params.get('sig') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(params.get('exp') ?? '', /^[0-9]+$/);
    }
  });

  it('every signed URL is accepted and greets its customer', async () => {
    for (const [i, row] of rows.entries()) {
      const res = await fetch(onServer(server, row.passthru_url ?? '', `sg${i}`));
      const body = await res.text();
      assert.equal(res.status, 200, `${row.customer_id}: ${body}`);
      assertGreets(parseResponse(body), row, row.customer_id ?? '');
    }
  });

  it('an edited amount, name or customer id, an added field, a bumped exp or a missing sig → 401', async () => {
    const edits: Array<[string, (p: URLSearchParams) => void]> = [
      ['amount', (p) => p.set('amount', '1')],
      ['customer_name', (p) => p.set('customer_name', 'Someone Else')],
      ['customer_id', (p) => p.set('customer_id', 'CUST-9999')],
      ['phone', (p) => p.set('phone', '+919000000000')],
      ['added loan_id', (p) => p.set('loan_id', 'LN0')],
      ['removed state', (p) => p.delete('state')],
      ['exp + 1 year', (p) => p.set('exp', String(Number(p.get('exp')) + 365 * 86400))],
      ['no sig', (p) => p.delete('sig')],
    ];
    for (const [i, row] of rows.slice(0, 5).entries()) {
      for (const [label, edit] of edits) {
        assert.equal(
          await status(onServer(server, row.passthru_url ?? '', `ed${i}`, edit)),
          401,
          `${row.customer_id}: ${label}`,
        );
      }
    }
  });

  it('an expired signed URL → 401', async () => {
    for (const [i, row] of rows.slice(0, 5).entries()) {
      const res = await fetch(onServer(expired, row.passthru_url ?? '', `ex${i}`));
      assert.equal(res.status, 401, row.customer_id);
      assert.match(await res.text(), /expired/);
    }
  });
});
