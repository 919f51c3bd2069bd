/**
 * Round trip: every passthru_url the CLI produces parses back to exactly the normalised row, and every
 * custom_field decodes — through serve's own reader — to the same customer. Both fixture files, so Devanagari,
 * Tamil, quotes and formula-looking names all travel.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizeCustomer } from '../../src/customers/normalize-row.ts';
import { CUSTOMER_FIELD_MAX_LENGTH } from '../../src/domain/customer.ts';
import { decodeCustomField } from '../../src/exotel/custom-field.ts';
import { CUSTOMER_FIELDS } from '../../src/exotel/customer.ts';
import { parseLanguageCode } from '../../src/exotel/language.ts';
import { readCustomer } from '../../src/server/call-service.ts';
import { runCli } from '../support/cli.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));
const BASE = 'https://bot.example.com/exo';
const KEY = 'k3y with spaces & symbols=/+';

type Row = Record<string, string>;

async function generate(file: string): Promise<Row[]> {
  const res = await runCli(
    ['url', '--csv', join(FIXTURES, file), '--format', 'ndjson', '--allow-rejects', '--base-url', BASE],
    { env: { WEBHOOK_KEY: KEY } },
  );
  assert.equal(res.code, 0, res.stderr);
  return res.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

/** The customer fields of an output row (what the URL and the CustomField must carry, no more, no less). */
function customerOf(row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of CUSTOMER_FIELDS) if (row[field] !== undefined) out[field] = row[field];
  return out;
}

/** What serve should make of that customer (src/domain/customer.ts Customer). */
function expectedCustomer(row: Row) {
  const { amount, ...rest } = customerOf(row);
  return { ...rest, ...(amount !== undefined ? { amount: Number(amount) } : {}) };
}

for (const file of ['customers-50.csv', 'hostile.csv']) {
  describe(`round trip of ${file}`, () => {
    let rows: Row[];
    before(async () => {
      rows = await generate(file);
    });

    it('produced rows to check', () => {
      assert.ok(rows.length >= 12, `${rows.length} rows`);
    });

    it('every passthru_url is absolute, percent-encoded, and parses back to exactly the normalised row', () => {
      for (const row of rows) {
        const raw = row.passthru_url ?? '';
        const url = new URL(raw);
        assert.equal(`${url.origin}${url.pathname}`, `${BASE}/passthru-handler`);
        const query = raw.slice(raw.indexOf('?') + 1);
        assert.match(query, /^[A-Za-z0-9\-_.!~*'()%&=]+$/, 'only encodeURIComponent output (no raw Unicode, no +)');
        const params = Object.fromEntries(url.searchParams);
        const { key, ...customer } = params;
        assert.equal(key, KEY);
        assert.deepEqual(customer, customerOf(row), row.customer_id);
        assert.deepEqual(Object.keys(customer), Object.keys(customerOf(row)), 'fields in CUSTOMER_FIELDS order');
        // A decoder that treats + as a space (form decoding) must read the same values.
        const formDecoded = Object.fromEntries(new URLSearchParams(query.replaceAll('%20', '+')));
        assert.equal(formDecoded.customer_name, row.customer_name);
        assert.equal(formDecoded.phone, row.phone, '+ in +91 is %2B, so form decoding keeps it');
      }
    });

    it('every custom_field decodes to the same fields, and serve reads the same customer from it', () => {
      for (const row of rows) {
        const decoded = decodeCustomField(row.custom_field);
        assert.ok(decoded.ok && decoded.format === 'json', row.customer_id);
        assert.deepEqual(decoded.fields, customerOf(row));
        const reading = readCustomer({ CustomField: row.custom_field ?? '', CallSid: 'CA1' });
        assert.deepEqual(reading.warnings, [], row.customer_id);
        assert.deepEqual(reading.customer, expectedCustomer(row));
        assert.equal(reading.language, parseLanguageCode(row.language_code));
      }
    });

    it('serve reads the same customer from the dev-shape query string', () => {
      for (const row of rows) {
        const params = Object.fromEntries(new URL(row.passthru_url ?? '').searchParams);
        const reading = readCustomer({ ...params, CallSid: 'CA1' });
        assert.deepEqual(reading.customer, expectedCustomer(row), row.customer_id);
      }
    });
  });
}

describe('one length table for url and serve', () => {
  it('url rejects a field one character over its limit; serve cuts the same field to exactly that limit', () => {
    const base = { customer_id: 'C1', customer_name: 'Asha', phone: '9876543210' };
    for (const [field, max] of Object.entries(CUSTOMER_FIELD_MAX_LENGTH)) {
      const value = 'x'.repeat(max + 1);
      const strict = normalizeCustomer({ ...base, [field]: value });
      assert.equal(strict.ok ? 'accepted' : strict.reason, 'field_too_long', field);
      const lenient = readCustomer({ ...base, [field]: value, CallSid: 'CA1' });
      assert.equal(
        Object.entries(lenient.customer ?? {}).find(([name]) => name === field)?.[1],
        value.slice(0, max),
        field,
      );
    }
  });
});
