import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createCustomerSigner, signCustomerParams, verifyCustomerSignature } from '../../src/exotel/signing.ts';

const SECRET = 'signing-secret';
const now = new Date('2026-01-01T00:00:00Z');
const expiresAt = new Date('2026-01-02T00:00:00Z');

describe('signed customer parameters', () => {
  const customer = {
    customer_id: 'C9',
    customer_name: 'Riddhi',
    phone: '+919876543210',
    loan_id: 'L9',
    amount: '1500',
  };
  const signed = { ...customer, ...signCustomerParams(customer, SECRET, expiresAt) };

  it('verifies as signed', () => {
    assert.deepEqual(verifyCustomerSignature(signed, SECRET, now), { ok: true });
  });

  it('does not verify when fields are folded into another one', () => {
    const { phone, loan_id, ...rest } = signed;
    const folded = { ...rest, customer_name: `Riddhi\nphone=${phone}\nloan_id=${loan_id}` };
    assert.deepEqual(verifyCustomerSignature(folded, SECRET, now), { ok: false, reason: 'bad_signature' });
    const foldedExp = { ...rest, phone, customer_name: 'Riddhi', loan_id: `L9\nexp=${signed.exp}` };
    assert.equal(verifyCustomerSignature(foldedExp, SECRET, now).ok, false);
  });

  it('does not verify when a value moves to another field', () => {
    const swapped = { ...signed, customer_name: signed.loan_id, loan_id: signed.customer_name };
    assert.equal(verifyCustomerSignature(swapped, SECRET, now).ok, false);
  });

  it('an empty customer field added to a signed URL is a change', () => {
    assert.equal(verifyCustomerSignature({ ...signed, due_date: '' }, SECRET, now).ok, false);
  });
});

describe('createCustomerSigner (the many-rows signer of url --sign)', () => {
  it('signs exactly as signCustomerParams, whatever JSON has to escape', () => {
    const sign = createCustomerSigner(SECRET, expiresAt);
    const values = [
      'plain',
      'रिद्धि मित्तल',
      'a"b',
      'back\\slash',
      'tab\there',
      '\u0001\u001f',
      '🙂',
      '\ud800 lone',
      'x\udc00',
      '',
    ];
    for (const value of values) {
      const customer = { customer_id: value, customer_name: `n ${value}`, phone: '+919876543210', state: value };
      assert.deepEqual(sign(customer), signCustomerParams(customer, SECRET, expiresAt), JSON.stringify(value));
    }
    assert.deepEqual(sign({}), signCustomerParams({}, SECRET, expiresAt));
  });

  it('signs a canonical string longer than its buffer as signCustomerParams does', () => {
    const sign = createCustomerSigner(SECRET, expiresAt);
    for (const value of ['x'.repeat(20_000), 'रि'.repeat(3_000), `${'a'.repeat(16_300)}रि`]) {
      const customer = { customer_id: 'C1', customer_name: value, phone: '+919876543210', state: value };
      assert.deepEqual(sign(customer), signCustomerParams(customer, SECRET, expiresAt), value.slice(0, 8));
    }
  });

  it('signs any fields as signCustomerParams does (property, fixed seed)', () => {
    const sign = createCustomerSigner(SECRET, expiresAt);
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
    const customer = fc.record(
      { customer_id: text, customer_name: text, phone: text, loan_id: text, amount: text, state: text },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(customer, (fields) => {
        assert.deepEqual(sign(fields), signCustomerParams(fields, SECRET, expiresAt));
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });
});
