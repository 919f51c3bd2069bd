/**
 * runCampaign, the library: start times under --rate and --duration on an injected clock (the sleep advances the
 * clock, nothing waits), the concurrency bound and the shared keep-alive Agent seen from a real node:http server,
 * the early stop against a closed port, and Ctrl-C.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readCampaignCustomers } from '../../src/simulate/campaign-customers.ts';
import { createDigitPlan, parseDigitMix } from '../../src/simulate/campaign-plan.ts';
import { runCampaign, type CampaignOptions } from '../../src/simulate/campaign-run.ts';
import { closedPort } from '../support/services.ts';
import { customersCsv, startCampaignFake, type CampaignFake } from '../support/fake-campaign-webhook.ts';

const { customers } = readCampaignCustomers(customersCsv(10));
const shares = parseDigitMix('1:50,2:50');
if (!shares.ok) throw new Error(shares.message);

function options(url: string, more: Partial<CampaignOptions>): CampaignOptions {
  return { url, exophone: '+918047112233', timeoutMs: 2000, customers, plan: createDigitPlan(shares.ok ? shares.value : [], 's', 100), concurrency: 10, ...more };
}

/** A clock that only moves when the campaign sleeps: start times are exactly the schedule. */
function fakeClock() {
  let now = 1_000;
  const sleep = async (ms: number) => {
    now += ms;
  };
  return { clock: () => now, sleep };
}

describe('runCampaign', () => {
  let fake: CampaignFake;
  before(async () => {
    fake = await startCampaignFake();
  });
  after(() => fake.close());

  it('--rate: call k starts at k/rate seconds on the campaign clock', async () => {
    const result = await runCampaign(options(fake.url, { calls: 10, ratePerSecond: 10, ...fakeClock() }));
    assert.deepEqual(
      result.calls.map((c) => c.startMs),
      [0, 100, 200, 300, 400, 500, 600, 700, 800, 900],
    );
    assert.ok(result.calls.every((c) => c.end === 'dial' || c.end === 'hangup'));
  });

  it('--rate 0.5 with 4 calls: two seconds apart; without a rate all start at once', async () => {
    const slow = await runCampaign(options(fake.url, { calls: 4, ratePerSecond: 0.5, ...fakeClock() }));
    assert.deepEqual(slow.calls.map((c) => c.startMs), [0, 2000, 4000, 6000]);
    const free = await runCampaign(options(fake.url, { calls: 4, ...fakeClock() }));
    assert.deepEqual(free.calls.map((c) => c.startMs), [0, 0, 0, 0]);
  });

  it('--duration: no call starts at or after the end; customers cycle past the last row', async () => {
    const result = await runCampaign(options(fake.url, { durationMs: 3000, ratePerSecond: 4, ...fakeClock() }));
    assert.equal(result.calls.length, 12);
    assert.equal(result.calls.at(-1)?.startMs, 2750);
    assert.deepEqual(result.calls.map((c) => c.customerId).slice(8, 12), ['C9', 'C10', 'C1', 'C2']);
    assert.equal(result.stopped, undefined);
  });

  it('at most `concurrency` requests in flight, over at most `concurrency` keep-alive connections', async () => {
    const own = await startCampaignFake({ batch: 4 });
    try {
      const result = await runCampaign(options(own.url, { calls: 60, concurrency: 4 }));
      assert.equal(result.calls.length, 60);
      assert.equal(own.requests, 120, 'greeting + Gather action per call');
      assert.equal(own.maxInFlight, 4, 'four greetings held until all four calls are in: never five');
      assert.ok(own.connections <= 4, `${own.connections} connections for 120 requests`);
    } finally {
      await own.close();
    }
  });

  it('Ctrl-C (the signal): no new call starts, the ones in flight finish', async () => {
    const abort = new AbortController();
    const result = await runCampaign(options(fake.url, { calls: 500, concurrency: 2, signal: abort.signal, onCall: (_c, p) => p.done >= 3 && abort.abort() }));
    assert.equal(result.stopped, 'interrupted');
    assert.ok(result.calls.length >= 3 && result.calls.length <= 5, `${result.calls.length} calls`);
  });

  it('a closed port: stops after the first refusals instead of playing every call', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/passthru`;
    const result = await runCampaign(options(url, { calls: 5000, concurrency: 10 }));
    assert.equal(result.stopped, 'unreachable');
    assert.match(result.unreachable ?? '', /connection refused by 127\.0\.0\.1:\d+/);
    assert.ok(result.calls.length <= 14, `${result.calls.length} calls`);
    const few = await runCampaign(options(url, { calls: 2, concurrency: 10 }));
    assert.match(few.unreachable ?? '', /connection refused/, 'fewer calls than the early-stop threshold: still unreachable');
  });
});
