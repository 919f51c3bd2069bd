/** Unit tests: the requests Exotel sends (docs/exotel-protocol.md §1.2, §10.2), digit groups and keys, the CSV/flags customer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../src/cli/errors.ts';
import { UsageError } from '../../src/errors.ts';
import { resolveCustomer } from '../../src/cli/customer-flags.ts';
import { defaultCustomer, pickCsvCustomer } from '../../src/cli/commands/simulate/customer.ts';
import { parseDigitGroups } from '../../src/cli/commands/simulate/flags.ts';
import { createDigitSource, digitParam, takeKeys, toGatherInput } from '../../src/simulate/digits.ts';
import { createCallSid, EXOTEL_CALL_SID, formatIstLegacy } from '../../src/exotel/call.ts';
import { actionParams, buildFirstRequest, encodeParams, toWire, type FirstRequestOptions } from '../../src/simulate/exotel-request.ts';

// 2025-08-11 14:05:09 IST
const STARTED = new Date('2025-08-11T08:35:09Z');
const NOW = new Date('2025-08-11T08:35:12Z');
const SID = '0317ed76e4b2958db08562366aef19ap';

function options(extra: Partial<FirstRequestOptions> = {}): FirstRequestOptions {
  return {
    url: 'http://127.0.0.1:8000/passthru-handler',
    callSid: SID,
    customer: { customer_id: 'C1', customer_name: 'Rao & Sons', phone: '+919876543210', amount: '15000', language_code: 'hi-IN' },
    phone: '+919876543210',
    exophone: '+918047112233',
    startedAt: STARTED,
    now: NOW,
    ...extra,
  };
}

describe('first request (Exotel Passthru hit)', () => {
  // The parameter set and formats of the captures (docs/exotel-protocol.md §1.2): no CallStatus (absent from 7 of 9
  // Passthru captures; this once sent in-progress), flow_id and tenant_id (once only with --legacy-params), Created
  // as "Mon, 11 Aug 2025 14:05:09" (once the Connect doc's yyyy-mm-dd form, now behind documentedCreated).
  it('has every call parameter, in Exotel order, with national numbers and IST times', () => {
    const req = buildFirstRequest(options());
    assert.equal(req.method, 'GET');
    assert.deepEqual(Object.keys(req.params).slice(0, 16), [
      'CallSid', 'CallFrom', 'CallTo', 'Direction', 'Created', 'DialCallDuration', 'StartTime', 'EndTime',
      'CallType', 'DialWhomNumber', 'flow_id', 'tenant_id', 'From', 'To', 'CurrentTime', 'CustomField',
    ]);
    assert.equal(req.params.CallSid, SID);
    assert.match(req.params.CallSid ?? '', /^[0-9a-z]{32}$/);
    assert.equal(req.params.CallFrom, '09876543210');
    assert.equal(req.params.From, '09876543210');
    assert.equal(req.params.CallTo, '08047112233');
    assert.equal(req.params.To, '08047112233');
    assert.equal(req.params.CallStatus, undefined);
    assert.equal(req.params.Direction, 'outbound-dial');
    assert.equal(req.params.Created, 'Mon, 11 Aug 2025 14:05:09');
    assert.equal(req.params.StartTime, '2025-08-11 14:05:09');
    assert.equal(req.params.CurrentTime, '2025-08-11 14:05:12');
    assert.equal(req.params.EndTime, '1970-01-01 05:30:00');
    assert.equal(req.params.DialCallDuration, '0');
    assert.equal(req.params.CallType, 'call-attempt');
    assert.equal(req.params.DialWhomNumber, '');
    assert.deepEqual(JSON.parse(req.params.CustomField ?? ''), { customer_id: 'C1', customer_name: 'Rao & Sons', phone: '+919876543210', amount: '15000', language_code: 'hi-IN' });
    assert.equal(req.params.customer_name, 'Rao & Sons');
    assert.equal(req.params.amount, '15000');
  });

  it('--e164 sends +91 numbers', () => {
    const req = buildFirstRequest(options({ e164: true }));
    assert.equal(req.params.CallFrom, '+919876543210');
    assert.equal(req.params.To, '+918047112233');
  });

  it('createCallSid: 31 hex digits and one [0-9a-z], like 23c162077629863c1a2d7f29263a162m', () => {
    for (let i = 0; i < 200; i += 1) assert.match(createCallSid(), /^[0-9a-f]{31}[0-9a-z]$/);
    assert.equal(createCallSid((n) => Buffer.alloc(n, 255)), `${'f'.repeat(31)}3`);
    assert.ok(EXOTEL_CALL_SID.test('23c162077629863c1a2d7f29263a162m'));
  });

  it('documentedCreated: Created as the Connect doc writes it (yyyy-mm-dd hh:mm:ss)', () => {
    assert.equal(buildFirstRequest(options({ documentedCreated: true })).params.Created, '2025-08-11 14:05:09');
  });

  it('--direction: incoming and outbound-dial say so and carry no CustomField; outbound-api (default) carries it', () => {
    const incoming = buildFirstRequest(options({ direction: 'incoming' })).params;
    assert.equal(incoming.Direction, 'incoming');
    assert.equal(incoming.CustomField, undefined);
    assert.equal(incoming.customer_id, 'C1', "the URL's own customer fields stay");
    const dial = buildFirstRequest(options({ direction: 'outbound-dial' })).params;
    assert.deepEqual([dial.Direction, dial.CustomField], ['outbound-dial', undefined]);
    const api = buildFirstRequest(options({ direction: 'outbound-api' })).params;
    assert.equal(api.Direction, 'outbound-dial', 'Passthru never says outbound-api');
    assert.ok(api.CustomField);
  });

  it('ExoML actions carry CallStatus=in-progress even though the Passthru did not', () => {
    assert.equal(actionParams(buildFirstRequest(options()).params).CallStatus, 'in-progress');
  });

  it('--legacy-params: the 2016 shape (CallStatus=ringing, ForwardedFrom, RFC Created, zero EndTime, CallTo without 0)', () => {
    const req = buildFirstRequest(options({ legacy: true }));
    assert.equal(req.params.CallStatus, 'ringing');
    assert.equal(req.params.Created, 'Mon, 11 Aug 2025 14:05:09');
    assert.equal(req.params.EndTime, '0000-00-00 00:00:00');
    assert.equal(req.params.flow_id, '68135');
    assert.equal(req.params.tenant_id, '39');
    assert.equal(req.params.ForwardedFrom, '');
    assert.equal(req.params.CallTo, '8047112233');
    assert.equal(req.params.To, '08047112233');
    assert.equal(formatIstLegacy(new Date('2016-02-16T10:26:26Z')), 'Tue, 16 Feb 2016 15:56:26');
  });

  it("keeps the URL's own query, appends Exotel's, and --param overrides either", () => {
    const req = buildFirstRequest(options({ url: 'https://bot.example.com/p?step=welcome&CallStatus=x', overrides: [['CallStatus', 'ringing'], ['extra', 'a b']], key: 's3cret' }));
    const wire = toWire(req);
    const url = new URL(wire.url);
    assert.equal(url.searchParams.get('step'), 'welcome');
    assert.equal(url.searchParams.get('key'), 's3cret');
    assert.deepEqual(url.searchParams.getAll('CallStatus'), ['ringing'], 'overridden, not duplicated');
    assert.equal(url.searchParams.get('extra'), 'a b');
    assert.ok(wire.url.startsWith('https://bot.example.com/p?step=welcome&key=s3cret&CallSid='), wire.url);
    assert.match(wire.url, /StartTime=2025-08-11%2014%3A05%3A09/, 'values encodeURIComponent-encoded (%20, never +)');
    assert.match(wire.url, /Created=Mon%2C%2011%20Aug%202025%2014%3A05%3A09/);
    assert.equal(wire.body, undefined);
  });

  it('--method POST sends the parameters as a form; the URL keeps only its own query', () => {
    const wire = toWire(buildFirstRequest(options({ method: 'POST', url: 'http://h/p?step=1' })));
    assert.equal(wire.url, 'http://h/p?step=1');
    const form = new URLSearchParams(wire.body);
    assert.equal(form.get('CallSid'), SID);
    assert.equal(form.get('EndTime'), '1970-01-01 05:30:00');
  });

  it('actions carry only CallSid, CallFrom, CallTo, CallStatus (§5.2); digits are quoted only for Passthru', () => {
    const first = buildFirstRequest(options()).params;
    assert.deepEqual(actionParams(first), { CallSid: SID, CallFrom: '09876543210', CallTo: '08047112233', CallStatus: 'in-progress' });
    assert.deepEqual(digitParam('digits', '1', 'POST'), { name: 'digits', value: '"1"', method: 'GET' });
    assert.deepEqual(digitParam('DigitsPressed', '12', 'POST'), { name: 'DigitsPressed', value: '12', method: 'POST' });
    assert.deepEqual(digitParam('Digits', '3', 'GET'), { name: 'Digits', value: '3', method: 'GET' });
    assert.equal(encodeParams({ digits: '"1"' }), 'digits=%221%22');
  });
});

describe('digits', () => {
  it('splits --digits into one group per Gather; an empty group is no input', () => {
    assert.deepEqual(parseDigitGroups('1'), ['1']);
    assert.deepEqual(parseDigitGroups('2,1'), ['2', '1']);
    assert.deepEqual(parseDigitGroups('12#'), ['12#']);
    assert.deepEqual(parseDigitGroups('1,,*9'), ['1', '', '*9']);
    assert.deepEqual(parseDigitGroups(' 1 2 , 3'), ['12', '3']);
    assert.throws(() => parseDigitGroups('1,a'), UsageError);
  });

  it('ends input like a phone: finish key (stripped), numDigits, or the timeout', () => {
    assert.deepEqual(takeKeys('12#', { finishOnKey: '#' }), { digits: '12', endedBy: 'finishOnKey', ignored: '' });
    assert.deepEqual(takeKeys('12#', { finishOnKey: '#', numDigits: 1 }), { digits: '1', endedBy: 'numDigits', ignored: '2#' });
    assert.deepEqual(takeKeys('12#', { finishOnKey: '' }), { digits: '12#', endedBy: 'timeout', ignored: '' });
    assert.deepEqual(takeKeys('1#', { finishOnKey: '*' }), { digits: '1#', endedBy: 'timeout', ignored: '' });
    assert.deepEqual(takeKeys('#', { finishOnKey: '#' }), { digits: '', endedBy: 'finishOnKey', ignored: '' });
    assert.deepEqual(toGatherInput('#', { finishOnKey: '#' }, 'digits'), { kind: 'no-input', source: 'digits' });
  });

  it('digit sources: groups in order then used up, --no-input, keypad, and a usage error with neither', async () => {
    const q = { finishOnKey: '#', timeoutSeconds: 5, prompt: '' };
    const groups = createDigitSource({ groups: ['2', '1'] });
    assert.deepEqual(await groups.next(q), { keys: '2', source: 'digits' });
    assert.deepEqual(await groups.next(q), { keys: '1', source: 'digits' });
    assert.deepEqual(await groups.next(q), { keys: '', source: 'digits-exhausted' });
    assert.deepEqual(await createDigitSource({ noInput: true }).next(q), { keys: '', source: 'no-input' });
    assert.deepEqual(await createDigitSource({ keypad: async () => '9' }).next(q), { keys: '9', source: 'keypad' });
    await assert.rejects(createDigitSource({}).next(q), (error: unknown) => error instanceof UsageError && /--digits/.test(describeError(error).hint ?? '') && /--no-input/.test(describeError(error).hint ?? ''));
  });
});

describe('customer', () => {
  const CSV = 'Customer ID,Name,Mobile,Amount,State\nC1,Asha,98765 43210,"₹1,200",Tamil Nadu\nC2,Ravi,+919812345678,500,Kerala\n';

  it('picks a CSV row by number or by customer_id, flags on top, normalised like url', () => {
    const row2 = pickCsvCustomer(CSV, { row: 2 }, 'c.csv');
    assert.equal(row2.customer_id, 'C2');
    const byId = pickCsvCustomer(CSV, { customerId: 'C1' }, 'c.csv');
    const { customer } = resolveCustomer({ defaults: defaultCustomer(NOW), csv: byId, flags: { loan_id: 'L9' } });
    assert.equal(customer.customer_name, 'Asha');
    assert.equal(customer.phone, '+919876543210');
    assert.equal(customer.amount, '1200');
    assert.equal(customer.language_code, 'ta-IN', 'language from the state, not the default');
    assert.equal(customer.loan_id, 'L9');
    assert.equal(customer.due_date, '2025-08-18', 'default due date: a week after the call');
  });

  it('names the problem: row out of range, unknown id, no pick, bad flag', () => {
    assert.throws(() => pickCsvCustomer(CSV, { row: 3 }, 'c.csv'), /--row 3: c.csv has 2 customer row/);
    assert.throws(() => pickCsvCustomer(CSV, { customerId: 'C9' }, 'c.csv'), /no such customer_id/);
    assert.throws(() => pickCsvCustomer(CSV, {}, 'c.csv'), /--row N/);
    assert.throws(() => resolveCustomer({ defaults: defaultCustomer(NOW), flags: { amount: 'lots' } }), /--amount/);
    assert.throws(() => resolveCustomer({ defaults: defaultCustomer(NOW), flags: { phone: '12345' } }), /--phone/);
  });
});
