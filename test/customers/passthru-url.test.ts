import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/commands/url/flags.ts';
import { buildPassthruUrl, customerQuery, resolveBaseUrl } from '../../src/customers/passthru-url.ts';
import { createCustomerProcessor } from '../../src/customers/row-processor.ts';
import { createTempCallIds, TEMP_CALL_ID_PREFIX } from '../../src/customers/temp-call-id.ts';
import { UsageError } from '../../src/errors.ts';
import { CUSTOMER_FIELDS, type CustomerInput } from '../../src/exotel/customer.ts';
import { verifyCustomerSignature } from '../../src/exotel/signing.ts';

const SECRET = 'sign-secret';
const customer: CustomerInput = {
  customer_id: 'C-1',
  customer_name: 'சுரேஷ் குமார் & Sons',
  phone: '+919876543210',
  loan_id: 'LN/1?x=1',
  amount: '1250.50',
  due_date: '2025-08-11',
  language_code: 'ta-IN',
  state: 'Tamil Nadu',
  temp_call_id: 'temp_call_0011223344556677',
};

describe('buildPassthruUrl', () => {
  it('encodes every value with encodeURIComponent (%20, %2B), in CUSTOMER_FIELDS order', () => {
    const url = buildPassthruUrl(
      'https://bot.example.com',
      { customer_name: 'A B+C', phone: '+919876543210', customer_id: 'x' },
      { kind: 'none' },
    );
    assert.equal(
      url,
      'https://bot.example.com/passthru-handler?customer_id=x&customer_name=A%20B%2BC&phone=%2B919876543210',
    );
  });
  it('round-trips Tamil, Devanagari, & ? / = through URL parsing', () => {
    const params = new URL(buildPassthruUrl('https://bot.example.com', customer, { kind: 'none' })).searchParams;
    assert.deepEqual(Object.fromEntries(params), customer);
  });
  it('appends key= (encoded) when WEBHOOK_KEY is set, and nothing else', () => {
    const url = new URL(buildPassthruUrl('https://b.example', customer, { kind: 'key', key: 'a&b=c' }));
    assert.equal(url.searchParams.get('key'), 'a&b=c');
    assert.deepEqual([...url.searchParams.keys()], [...CUSTOMER_FIELDS, 'key']);
  });
  it('customerQuery skips empty fields', () => {
    assert.equal(customerQuery({ customer_id: 'a', loan_id: '', state: 'UP' }), 'customer_id=a&state=UP');
  });
});

describe('--sign: exp + sig, checked with verifyCustomerSignature', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const expiresAt = new Date('2026-01-08T00:00:00Z');
  const signed = new URL(
    buildPassthruUrl('https://b.example', customer, { kind: 'signed', secret: SECRET, expiresAt }),
  );
  const params = () => Object.fromEntries(signed.searchParams) as Record<string, string>;

  it('carries exp (unix seconds) and a sig, and no key', () => {
    assert.equal(params().exp, String(expiresAt.getTime() / 1000));
    assert.match(params().sig ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(params().key, undefined);
  });
  it('verifies as produced, until it expires', () => {
    assert.deepEqual(verifyCustomerSignature(params(), SECRET, now), { ok: true });
    assert.deepEqual(verifyCustomerSignature(params(), SECRET, new Date('2026-01-07T23:59:59Z')), { ok: true });
    assert.deepEqual(verifyCustomerSignature(params(), SECRET, new Date('2026-01-08T00:00:01Z')), {
      ok: false,
      reason: 'expired',
    });
  });
  it('fails with bad_signature when any customer field, or exp, is changed, added or removed', () => {
    for (const field of CUSTOMER_FIELDS) {
      const changed = { ...params(), [field]: `${params()[field]}x` };
      assert.deepEqual(
        verifyCustomerSignature(changed, SECRET, now),
        { ok: false, reason: 'bad_signature' },
        `changed ${field}`,
      );
      const removed = { ...params() };
      delete removed[field];
      assert.deepEqual(
        verifyCustomerSignature(removed, SECRET, now),
        { ok: false, reason: 'bad_signature' },
        `removed ${field}`,
      );
    }
    const fewer = new URL(
      buildPassthruUrl(
        'https://b.example',
        { customer_id: 'C-1', phone: '+919876543210' },
        { kind: 'signed', secret: SECRET, expiresAt },
      ),
    );
    const added = { ...Object.fromEntries(fewer.searchParams), amount: '1' };
    assert.deepEqual(
      verifyCustomerSignature(added, SECRET, now),
      { ok: false, reason: 'bad_signature' },
      'added amount',
    );
    const later = { ...params(), exp: String(Number(params().exp) + 86400) };
    assert.deepEqual(
      verifyCustomerSignature(later, SECRET, now),
      { ok: false, reason: 'bad_signature' },
      'exp pushed back',
    );
  });
  it('fails with another secret, or without exp/sig', () => {
    assert.deepEqual(verifyCustomerSignature(params(), 'other-secret', now), { ok: false, reason: 'bad_signature' });
    const { sig: _sig, ...unsigned } = params();
    assert.deepEqual(verifyCustomerSignature(unsigned, SECRET, now), { ok: false, reason: 'missing' });
  });
  it('every URL the processor signs verifies', () => {
    const processor = createCustomerProcessor({
      base: 'https://b.example',
      auth: { kind: 'signed', secret: SECRET, expiresAt },
      nextTempCallId: createTempCallIds('s'),
    });
    for (let i = 0; i < 200; i++) {
      const result = processor.process({
        customer_id: `C${i}`,
        customer_name: `नाम ${i}`,
        phone: String(9_000_000_000 + i),
        amount: String(i + 1),
        state: 'UP',
      });
      assert.ok(result.ok);
      const verdict = verifyCustomerSignature(
        Object.fromEntries(new URL(result.passthruUrl).searchParams),
        SECRET,
        now,
      );
      assert.deepEqual(verdict, { ok: true }, result.passthruUrl);
    }
  });
});

describe('size warnings', () => {
  const processor = () =>
    createCustomerProcessor({
      base: 'https://b.example',
      auth: { kind: 'none' },
      nextTempCallId: createTempCallIds('w'),
    });
  it('warns when a URL passes 2,000 characters (Devanagari is 9 characters a letter once encoded)', () => {
    const result = processor().process({
      customer_id: 'C1',
      customer_name: 'क'.repeat(200),
      phone: '9876543210',
      state: 'UP',
      loan_id: 'L'.repeat(100),
    });
    assert.ok(result.ok);
    assert.ok(result.passthruUrl.length > 2000);
    assert.ok(Buffer.byteLength(result.customField) <= 1024);
    assert.deepEqual(
      result.warnings.map((w) => w.code),
      ['url_too_long'],
    );
  });
  it('warns when a CustomField passes 1 KB', () => {
    const result = processor().process({
      customer_id: 'C1',
      customer_name: 'क'.repeat(200),
      phone: '9876543210',
      state: 'स'.repeat(100),
      language_code: 'hi',
      loan_id: 'L'.repeat(100),
    });
    assert.ok(result.ok);
    assert.ok(Buffer.byteLength(result.customField) > 1024);
    assert.deepEqual(
      result.warnings.map((w) => w.code),
      ['url_too_long', 'custom_field_too_large'],
    );
  });
  it('says nothing for an ordinary customer', () => {
    const result = processor().process({
      customer_id: 'C1',
      customer_name: 'रिद्धि मित्तल',
      phone: '9876543210',
      state: 'UP',
      amount: '15000',
    });
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, []);
  });
});

describe('resolveBaseUrl', () => {
  it('accepts https, strips trailing slashes, keeps a path prefix', () => {
    assert.deepEqual(resolveBaseUrl('https://bot.example.com/exo//', '--base-url'), {
      base: 'https://bot.example.com/exo',
      warning: undefined,
      local: false,
    });
  });
  it('accepts http on another host with a warning (Exotel must call https)', () => {
    const resolved = resolveBaseUrl('http://bot.example.com', '--base-url');
    assert.match(resolved.warning ?? '', /not https/);
    assert.equal(resolved.local, false);
  });
  it('accepts http on this machine without a warning: only the simulator calls it', () => {
    for (const raw of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000', 'http://app.localhost']) {
      const resolved = resolveBaseUrl(raw, '--base-url');
      assert.equal(resolved.warning, undefined, raw);
      assert.equal(resolved.local, true, raw);
    }
    assert.equal(resolveBaseUrl('http://127.0.0.1.example.com', '--base-url').local, false);
  });
  it('refuses relative, non-http, or query/credential-carrying bases', () => {
    for (const raw of [
      '/passthru',
      'bot.example.com',
      'ftp://x.example',
      'https://x.example/?a=1',
      'https://u:p@x.example',
      'https://x.example/#f',
    ]) {
      assert.throws(() => resolveBaseUrl(raw, '--base-url'), UsageError, raw);
    }
  });
});

describe('parseDuration', () => {
  it('reads s, m, h, d', () => {
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('90s'), 90_000);
  });
  it('refuses junk, zero, under a minute, over 366 days', () => {
    for (const raw of ['', '7', 'd', '0d', '30s', '367d', '1w', '-1h'])
      assert.throws(() => parseDuration(raw), UsageError, raw);
  });
});

describe('temp_call_id', () => {
  it('is reproducible with a seed and differs across seeds', () => {
    const a = createTempCallIds('seed-1');
    const b = createTempCallIds('seed-1');
    const c = createTempCallIds('seed-2');
    const first = [a(), a(), a()];
    assert.deepEqual([b(), b(), b()], first);
    assert.notDeepEqual([c(), c(), c()], first);
    for (const id of first) assert.match(id, new RegExp(`^${TEMP_CALL_ID_PREFIX}[0-9a-f]{16}$`));
    assert.equal(new Set(first).size, 3);
  });
  it('has no collisions in 100,000 draws', () => {
    const next = createTempCallIds('collisions');
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(next());
    assert.equal(seen.size, 100_000);
  });
});
