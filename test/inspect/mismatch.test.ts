import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallSession } from '../../src/domain/call.ts';
import { findMismatches, rowIsOpen } from '../../src/inspect/mismatch.ts';
import type { CallRow } from '../../src/stores/ports.ts';

const STORES = { sessions: 'redis', history: 'postgres' };

function session(over: Partial<CallSession> = {}): CallSession {
  return {
    callSid: 'CA1',
    language: 'hi',
    state: 'transferring',
    attempts: 1,
    digits: '1',
    digitSource: 'DigitsPressed',
    outcome: 'agent_transfer',
    customer: { customer_id: 'cust_1' },
    createdAt: '2025-08-11T10:00:00.000Z',
    updatedAt: '2025-08-11T10:00:05.000Z',
    ...over,
  };
}

function row(over: Partial<CallRow> = {}): CallRow {
  return {
    call_sid: 'CA1',
    customer_id: 'cust_1',
    status: 'transferring',
    direction: null,
    started_at: '2025-08-11T10:00:00.000Z',
    ended_at: null,
    language: 'hi',
    digits: '1',
    outcome: 'agent_transfer',
    agent_number: '+919812345678',
    exotel_params: {},
    dial_call_status: null,
    dial_call_duration: null,
    recording_url: null,
    stream: null,
    updated_at: '2025-08-11T10:00:05.000Z',
    ...over,
  };
}

const kinds = (s: CallSession | null, c: CallRow | null) => findMismatches({ session: s, call: c, stores: STORES }).map((m) => m.kind);

describe('findMismatches', () => {
  it('none when session and row agree', () => {
    assert.deepEqual(findMismatches({ session: session(), call: row(), stores: STORES }), []);
  });

  it('none when neither exists', () => {
    assert.deepEqual(kinds(null, null), []);
  });

  const cases: Array<{ name: string; session: CallSession | null; call: CallRow | null; expected: string[]; says?: RegExp }> = [
    { name: 'a digit in Redis that never reached PostgreSQL', session: session(), call: row({ digits: null, outcome: 'agent_transfer' }), expected: ['digit_not_in_row'], says: /digit "1" is in the session \(redis\) but never reached the call row \(postgres\)/ },
    { name: 'a digit only in the row', session: session({ digits: undefined }), call: row(), expected: ['digit_not_in_session'] },
    { name: 'digits differ', session: session({ digits: '2', outcome: 'agent_transfer' }), call: row(), expected: ['digit_differs'], says: /session \(redis\) says "2", call row \(postgres\) says "1"/ },
    { name: 'outcome only in the session', session: session(), call: row({ outcome: null }), expected: ['outcome_not_in_row'] },
    { name: 'outcome only in the row', session: session({ outcome: undefined }), call: row(), expected: ['outcome_not_in_session'] },
    { name: 'outcomes differ', session: session({ outcome: 'declined' }), call: row(), expected: ['outcome_differs'] },
    { name: 'state differs', session: session({ state: 'reprompted' }), call: row(), expected: ['state_differs'] },
    { name: 'language differs', session: session({ language: 'ta' }), call: row(), expected: ['language_differs'], says: /"ta".*"hi"/ },
    { name: 'customer differs', session: session({ customer: { customer_id: 'other' } }), call: row(), expected: ['customer_differs'] },
    { name: 'customer only in the row', session: session({ customer: undefined }), call: row(), expected: ['customer_differs'], says: /says none/ },
    { name: 'session without a row', session: session(), call: null, expected: ['row_missing'], says: /no call row \(postgres\)/ },
    { name: 'session expired while the row is not ended', session: null, call: row({ status: 'greeted', digits: null, outcome: null }), expected: ['session_missing'], says: /expired or was deleted while the call row \(postgres\) says "greeted", not ended/ },
    { name: 'several at once', session: session({ digits: '2', outcome: 'declined', state: 'ended', language: 'en' }), call: row(), expected: ['digit_differs', 'outcome_differs', 'state_differs', 'language_differs'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const found = findMismatches({ session: c.session, call: c.call, stores: STORES });
      assert.deepEqual(found.map((m) => m.kind), c.expected);
      if (c.says) assert.match(found[0]?.message ?? '', c.says);
    });
  }

  it('no session is fine once the row has an outcome or an end (the session simply expired after the call)', () => {
    assert.deepEqual(kinds(null, row()), []);
    assert.deepEqual(kinds(null, row({ outcome: null, ended_at: '2025-08-11T10:01:00.000Z', status: 'ended' })), []);
  });

  it('a row without a language is not a language mismatch', () => {
    assert.deepEqual(kinds(session(), row({ language: null })), []);
  });

  it('names the stores generically when not told', () => {
    const [m] = findMismatches({ session: session(), call: null });
    assert.match(m?.message ?? '', /session \(sessions\).*call row \(history\)/);
  });

  it('rowIsOpen: no end and no outcome', () => {
    assert.equal(rowIsOpen(row({ outcome: null })), true);
    assert.equal(rowIsOpen(row()), false);
    assert.equal(rowIsOpen(row({ outcome: null, ended_at: '2025-08-11T10:01:00.000Z' })), false);
  });
});
