/**
 * The call loop as a library (simulateCall) with injected clock and dispatcher: latency warnings, documents
 * that are not <Response>, unknown verbs, Record actions, oversize bodies, and the expectation judge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { validateExoml } from '../../src/exoml/validate.ts';
import { simulateCall, type SimulateOptions } from '../../src/simulate/call.ts';
import { createDigitSource } from '../../src/simulate/digits.ts';
import { parseExpectation } from '../../src/cli/commands/simulate/flags.ts';
import { evaluateExpectations } from '../../src/simulate/expect.ts';
import { formatTranscript } from '../../src/simulate/report.ts';
import type { CallRecord } from '../../src/simulate/types.ts';
import { pathOf, startFake, xml, type Fake } from '../support/fake-webhook.ts';

const DOCS: Record<string, string> = {
  '/slow': '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="woman" language="en">Hi</Say><Hangup/></Response>',
  '/flow': '<?xml version="1.0" encoding="UTF-8"?><Flow><StartSay>Hi</StartSay></Flow>',
  '/odd': '<?xml version="1.0" encoding="UTF-8"?><Response><Sms>hi</Sms><Record action="/rec" maxLength="30"/></Response>',
  '/rec': '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks</Say></Response>',
};

let bot: Fake;
const agent = new Agent();
before(async () => {
  bot = await startFake((req, res) => {
    if (pathOf(req) === '/huge') xml(res, `<Response><Say>${'a'.repeat(1024 * 1024 + 10)}</Say></Response>`);
    else xml(res, DOCS[pathOf(req)] ?? '<Response/>');
  });
});
after(async () => {
  await bot.close();
  await agent.close();
});

function call(path: string, extra: Partial<SimulateOptions> = {}): Promise<CallRecord> {
  return simulateCall({
    first: { method: 'GET', url: `${bot.url}${path}`, params: { CallSid: 'sid1', CallFrom: '09876543210', CallTo: '08047112233', CallStatus: 'in-progress' } },
    input: createDigitSource({ noInput: true }),
    timeoutMs: 2000,
    dispatcher: agent,
    ...extra,
  });
}

describe('simulateCall', () => {
  it('warns when a step is slower than 2 s (clock injected: 0 ms, then 2500 ms)', async () => {
    const ticks = [0, 2500];
    const record = await call('/slow', { clock: () => ticks.shift() ?? 2500, timeoutMs: 5000 });
    assert.equal(record.steps[0]?.response?.ms, 2500);
    const slow = record.steps[0]?.findings.find((f) => f.code === 'SIM001');
    assert.ok(slow, 'latency finding');
    assert.match(slow.message, /answered in 2500 ms, over 2000 ms/);
    assert.deepEqual(record.outcome, { kind: 'hangup', reason: '<Hangup/>' });
  });

  it('a <Flow> (the v2 Legs dialect) is not playable: outcome error naming the root', async () => {
    const record = await call('/flow');
    assert.equal(record.outcome.kind, 'error');
    assert.match(record.outcome.reason ?? '', /root element is <Flow>, not <Response>/);
  });

  it('unknown verbs are skipped with a note; Record with action posts a simulated recording', async () => {
    const record = await call('/odd');
    assert.deepEqual(record.steps.map((s) => s.verbs.map((v) => v.verb)), [['Other', 'Record'], ['Say']]);
    const rec = bot.requests.find((r) => pathOf(r) === '/rec');
    assert.match(rec?.form.get('RecordingUrl') ?? '', /^https:\/\/s3-ap-southeast-1\.amazonaws\.com\/exotelrecordings\/simulated\/sid1\.mp3$/);
    assert.equal(rec?.form.get('CallSid'), 'sid1');
    assert.equal(record.outcome.kind, 'hangup');
    const text = formatTranscript(record).map((l) => l.text).join('\n');
    assert.match(text, /<Sms> is not a verb Exotel plays: skipped/);
    assert.match(text, /⏺ Record maxLength=30/);
  });

  it('a body over 1 MB ends the call instead of being buffered', async () => {
    const record = await call('/huge');
    assert.equal(record.outcome.kind, 'error');
    assert.match(record.outcome.reason ?? '', /larger than 1048576 bytes/);
  });

  it('--timeout covers the whole step: an answer in time that takes too long to validate ends the call', async () => {
    // The clock moves only inside the validator: the HTTP exchange takes 0 ms, validating it 1500 ms.
    let now = 0;
    const record = await call('/slow', {
      timeoutMs: 1000,
      clock: () => now,
      validate: (body) => {
        now += 1500;
        return validateExoml(body);
      },
    });
    assert.equal(record.outcome.kind, 'error');
    assert.match(record.outcome.reason ?? '', /^no complete answer within 1000 ms \(--timeout\)/);
    assert.match(record.steps[0]?.error ?? '', /^no complete answer within 1000 ms/);
    assert.deepEqual(record.steps[0]?.verbs, [], 'nothing of the late document is played');
  });

  it('streams every event through onEvent, in transcript order', async () => {
    const seen: string[] = [];
    await call('/slow', { onEvent: (e) => seen.push(e.type) });
    assert.deepEqual(seen, ['step', 'verb', 'verb']);
  });
});

describe('expectations', () => {
  const record = (outcome: CallRecord['outcome'], verbs: CallRecord['steps'][number]['verbs']): CallRecord => ({
    url: 'http://x/',
    callSid: 's',
    events: [],
    outcome,
    steps: [{ request: { method: 'GET', url: 'http://x/', params: {} }, findings: [], verbs }],
  });
  const at = { line: 1, path: 'Response' };
  const gather = (kind: 'keys' | 'no-input') => ({
    verb: 'Gather' as const,
    ...at,
    timeout: 5,
    finishOnKey: '#',
    action: '',
    method: 'POST' as const,
    prompts: [{ verb: 'Say' as const, ...at, text: 'Press 1 for  Sales' }],
    input: kind === 'keys' ? { kind, pressed: '1', digits: '1', endedBy: 'numDigits' as const, ignored: '', source: 'digits' as const } : { kind, source: 'no-input' as const },
  });

  it('judges dial, dial:<number> (any phone format), hangup, no-input and say:<text> on the transcript', () => {
    const dialled = record({ kind: 'dial', number: '+919812345678' }, [gather('keys'), { verb: 'Dial', ...at, numbers: ['+919812345678'], method: 'POST' }]);
    const judge = (raw: string, r: CallRecord) => evaluateExpectations([parseExpectation(raw)], r)[0]?.ok;
    assert.equal(judge('dial', dialled), true);
    assert.equal(judge('dial:09812345678', dialled), true);
    assert.equal(judge('dial:+919800000000', dialled), false);
    assert.equal(judge('hangup', dialled), false);
    assert.equal(judge('no-input', dialled), false);
    assert.equal(judge('say:press 1 FOR sales', dialled), true, 'nested prompt, case and spaces folded');
    assert.equal(judge('say:goodbye', dialled), false);
    const silent = record({ kind: 'hangup' }, [gather('no-input'), { verb: 'Hangup', ...at }]);
    assert.equal(judge('no-input', silent), true);
    assert.equal(judge('hangup', silent), true);
    assert.equal(judge('no-input', record({ kind: 'error', reason: 'x' }, [gather('no-input')])), false, 'an error is not a clean no-input');
    assert.throws(() => parseExpectation('say:'), /--expect/);
  });
});
