import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { renderSections, renderTable } from '../../src/cli/commands/inspect/view.ts';
import type { CallSession } from '../../src/domain/call.ts';
import { callJson, callSections } from '../../src/cli/commands/inspect/format-call.ts';
import {
  callsJson,
  callsTable,
  describeSource,
  formatDuration,
  formatTime,
  sessionsJson,
  sessionsTable,
} from '../../src/cli/commands/inspect/format.ts';
import { maskCall, maskEvent, maskNumber, maskSession } from '../../src/inspect/mask.ts';
import type { CallDetail, SourceDescription } from '../../src/inspect/source.ts';
import type { CallRow, SessionEntry } from '../../src/stores/ports.ts';

const NOW = new Date('2025-08-11T10:02:00.000Z');
const DIRECT: SourceDescription = { mode: 'direct', sessions: 'redis', history: 'postgres' };
const plain = new Chalk({ level: 0 });

const SESSION: CallSession = {
  callSid: 'CA1',
  language: 'hi',
  state: 'transferring',
  attempts: 1,
  digits: '1',
  digitSource: 'DigitsPressed',
  outcome: 'agent_transfer',
  customer: { customer_id: 'cust_1', customer_name: 'Riddhi Mittal', phone: '+917417119014' },
  from: '+917417119014',
  to: '04446972509',
  createdAt: '2025-08-11T10:00:00.000Z',
  updatedAt: '2025-08-11T10:00:30.000Z',
};

const ROW: CallRow = {
  call_sid: '9876543210',
  customer_id: '9123456789',
  status: 'transferring',
  direction: 'incoming',
  started_at: '2025-08-11T10:00:00.000Z',
  ended_at: null,
  language: 'hi',
  digits: '1',
  outcome: 'agent_transfer',
  agent_number: '+919812345678',
  exotel_params: {
    CallSid: '9876543210',
    From: '07417119014',
    CallTo: '04446972509',
    DialWhomNumber: '+919812345678',
    StartTime: '2025-08-11 10:00:00',
    amount: '15000',
    CustomField: '{"customer_id":"c9","phone":"+919876543210"}',
    Other: '9876543210',
  },
  dial_call_status: 'completed',
  dial_call_duration: 21,
  recording_url: 'https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/acme/9876543210.mp3',
  stream: null,
  final_status: null,
  duration: null,
  legs: null,
  updated_at: '2025-08-11T10:00:30.000Z',
};

describe('masking', () => {
  it('maskNumber keeps the last four digits, whatever the shape', () => {
    assert.equal(maskNumber('+917417119014'), '+91******9014');
    assert.equal(maskNumber('12345678'), '****5678');
    assert.equal(maskNumber('1234'), '1234');
  });

  it('session: from, to and the customer phone; ids and names untouched; --show-pii returns it as is', () => {
    const masked = maskSession(SESSION, false);
    assert.equal(masked.from, '+91******9014');
    assert.equal(masked.to, '******2509');
    assert.equal(masked.customer?.phone, '+91******9014');
    assert.equal(masked.customer?.customer_name, 'Riddhi Mittal');
    assert.equal(SESSION.from, '+917417119014', 'the input is not mutated');
    assert.equal(maskSession(SESSION, true), SESSION);
  });

  it('call row: number-named params and whole phone values are masked; ids, dates, amounts are not', () => {
    const masked = maskCall(ROW, false);
    assert.equal(masked.call_sid, '9876543210');
    assert.equal(masked.customer_id, '9123456789');
    assert.equal(masked.agent_number, '+91******5678');
    const p = masked.exotel_params;
    assert.equal(p.CallSid, '9876543210');
    assert.equal(p.From, '******9014');
    assert.equal(p.CallTo, '******2509');
    assert.equal(p.DialWhomNumber, '+91******5678');
    assert.equal(p.StartTime, '2025-08-11 10:00:00');
    assert.equal(p.amount, '15000');
    assert.equal(p.Other, '******3210');
    assert.doesNotMatch(p.CustomField ?? '', /9876543210/);
    assert.match(p.CustomField ?? '', /"customer_id":"c9"/);
  });

  it('event detail: deep, by key and by whole value', () => {
    const event = {
      id: 1,
      call_sid: 'CA1',
      at: NOW.toISOString(),
      kind: 'passthru',
      detail: { from: '+917417119014', nested: { list: ['+919876543210', 'hello'] }, digits: '1' },
    };
    assert.deepEqual(maskEvent(event, false).detail, {
      from: '+91******9014',
      nested: { list: ['+91******3210', 'hello'] },
      digits: '1',
    });
  });
});

describe('durations and times', () => {
  const durations: Array<[number | null, string]> = [
    [null, '-'],
    [0, '0s'],
    [42, '42s'],
    [192, '3m12s'],
    [7080, '1h58m'],
    [7200, '2h00m'],
    [183600, '2d3h'],
    [-5, '0s'],
  ];
  for (const [seconds, text] of durations)
    it(`${seconds} → ${text}`, () => assert.equal(formatDuration(seconds), text));

  it('formatTime is IST (+05:30, the zone of Exotel\'s own times) to the second; null is "-"', () => {
    assert.equal(formatTime('2025-08-11T10:00:00.123Z'), '2025-08-11 15:30:00');
    assert.equal(formatTime('2025-08-11T20:00:00Z'), '2025-08-12 01:30:00');
    assert.equal(formatTime(null), '-');
  });

  it('the call table says its times are IST', () => {
    const row = {
      call_sid: 'CA1',
      customer_id: null,
      status: 'greeted',
      direction: null,
      started_at: '2025-08-11T10:00:00.000Z',
      ended_at: null,
      language: 'en',
      digits: null,
      outcome: null,
      agent_number: null,
      exotel_params: {},
      dial_call_status: null,
      dial_call_duration: null,
      recording_url: null,
      stream: null,
      final_status: null,
      duration: null,
      legs: null,
      updated_at: '2025-08-11T10:00:00.000Z',
    };
    const table = callsTable([row]);
    assert.ok(table.head.includes('STARTED (IST)'), table.head.join());
    assert.ok(table.rows[0]?.includes('2025-08-11 15:30:00'));
    assert.doesNotMatch(table.head.join(), /\(UTC\)/);
  });
});

describe('sessions and calls', () => {
  const entries: SessionEntry[] = [
    { session: SESSION, ttlSeconds: 7080 },
    {
      session: {
        ...SESSION,
        callSid: 'CA2',
        digits: undefined,
        outcome: undefined,
        customer: undefined,
        state: 'greeted',
      },
      ttlSeconds: undefined,
    },
  ];

  it('sessions table: one row per session, "-" for gaps, age and TTL', () => {
    const table = sessionsTable(entries, { showPii: false, now: NOW });
    assert.deepEqual(table.head, ['CALL SID', 'CUSTOMER', 'LANG', 'STATE', 'DIGIT', 'OUTCOME', 'AGE', 'TTL']);
    assert.deepEqual(table.rows, [
      ['CA1', 'cust_1', 'hi', 'transferring', '1', 'agent_transfer', '2m00s', '1h58m'],
      ['CA2', '-', 'hi', 'greeted', '-', '-', '2m00s', 'no expiry'],
    ]);
  });

  it('sessions JSON: envelope, masked session, ttlSeconds null when none, ageSeconds', () => {
    const json = sessionsJson(entries, DIRECT, { showPii: false, now: NOW });
    assert.equal(json.at, NOW.toISOString());
    assert.deepEqual(json.source, DIRECT);
    assert.equal(json.piiMasked, true);
    assert.equal(json.sessions[0]?.session.from, '+91******9014');
    assert.equal(json.sessions[0]?.ttlSeconds, 7080);
    assert.equal(json.sessions[0]?.ageSeconds, 120);
    assert.equal(json.sessions[1]?.ttlSeconds, null);
    assert.equal(sessionsJson(entries, DIRECT, { showPii: true, now: NOW }).sessions[0]?.session.from, '+917417119014');
  });

  it('calls table and JSON', () => {
    assert.deepEqual(callsTable([ROW]).rows, [
      ['9876543210', '9123456789', '2025-08-11 15:30:00', 'transferring', 'hi', '1', 'agent_transfer', '-', '-', '-'],
    ]);
    const ended = { ...ROW, final_status: 'completed', duration: 95 };
    assert.deepEqual(callsTable([ended]).rows[0]?.slice(7, 9), ['completed', '1m35s']);
    const json = callsJson([ROW], DIRECT, { showPii: false, now: NOW });
    assert.equal(json.calls[0]?.agent_number, '+91******5678');
    assert.equal(callsJson([ROW], DIRECT, { showPii: true, now: NOW }).calls[0]?.agent_number, '+919812345678');
  });

  it('describeSource names what was not read', () => {
    assert.equal(describeSource(DIRECT), 'sessions: redis · history: postgres');
    assert.equal(
      describeSource({ mode: 'direct', sessions: 'redis', history: null }),
      'sessions: redis · history: not read (no --database-url)',
    );
    assert.equal(
      describeSource({ mode: 'server', sessions: 'memory', history: 'pglite', server: 'http://127.0.0.1:8000' }),
      'sessions: memory · history: pglite · via http://127.0.0.1:8000',
    );
  });
});

describe('inspect call', () => {
  const detail: CallDetail = {
    callSid: 'CA1',
    session: SESSION,
    ttlSeconds: 7080,
    call: { ...ROW, call_sid: 'CA1', customer_id: 'cust_1' },
    customer: null,
    events: [{ id: 1, call_sid: 'CA1', at: '2025-08-11T10:00:00.000Z', kind: 'passthru', detail: { language: 'hi' } }],
  };
  const mismatch = [
    {
      kind: 'digit_not_in_row' as const,
      message: 'digit "1" is in the session (redis) but never reached the call row (postgres)',
    },
  ];

  it('JSON: found, masked parts, mismatches', () => {
    const json = callJson('CA1', detail, mismatch, DIRECT, { showPii: false, now: NOW });
    assert.equal(json.found, true);
    assert.equal(json.session?.from, '+91******9014');
    assert.equal(json.call?.agent_number, '+91******5678');
    assert.equal(json.ttlSeconds, 7080);
    assert.deepEqual(json.mismatches, mismatch);
    const missing = callJson('CA9', undefined, [], DIRECT, { showPii: false, now: NOW });
    assert.deepEqual(
      { found: missing.found, session: missing.session, call: missing.call, events: missing.events },
      { found: false, session: null, call: null, events: [] },
    );
  });

  it('sections: session with TTL, call row with params, customer note, events, mismatches', () => {
    const sections = callSections(callJson('CA1', detail, mismatch, DIRECT, { showPii: false, now: NOW }), {
      showPii: false,
      now: NOW,
    });
    assert.deepEqual(
      sections.map((s) => s.title),
      ['session (redis, TTL 1h58m)', 'call row (postgres)', 'customer', 'events (1)', 'mismatches (1)'],
    );
    assert.equal(sections[2]?.note, 'no customer row for cust_1');
    const text = renderSections('call CA1', sections, plain);
    assert.match(text, /digits {9}1 \(from DigitsPressed\)/);
    assert.match(text, /param From {12}\*{6}9014/);
    assert.match(text, /digit_not_in_row {2}digit "1" is in the session/);
    assert.doesNotMatch(text, /7417119014/);
  });

  it('sections name the flag for a store that was not read, and skip the mismatch check', () => {
    const source: SourceDescription = { mode: 'direct', sessions: 'redis', history: null };
    const json = callJson('CA1', { ...detail, call: null, events: [] }, [], source, { showPii: false, now: NOW });
    const sections = callSections(json, { showPii: false, now: NOW });
    assert.match(sections[1]?.note ?? '', /--database-url/);
    assert.match(sections[4]?.note ?? '', /not checked/);
  });
});

describe('renderTable', () => {
  it('aligns columns, no borders, no trailing spaces', () => {
    const text = renderTable(
      {
        head: ['A', 'BBB'],
        rows: [
          ['x', 'y'],
          ['longer', '-'],
        ],
      },
      plain,
    );
    assert.equal(text, 'A       BBB\nx       y\nlonger  -');
  });

  it('replaces control characters so stored values cannot drive the terminal', () => {
    const text = renderTable({ head: [], rows: [['name', 'Evil\u001b[2JName\u0007']] }, plain);
    assert.equal(text, 'name  Evil\uFFFD[2JName\uFFFD');
  });
});
