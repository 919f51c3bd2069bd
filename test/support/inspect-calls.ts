/** Shared by the inspect tests: calls made through serve's webhooks, and one-line error checks. */
import assert from 'node:assert/strict';

export type CallPlan = { sid: string; customerId: string; name: string; phone: string; language: string; press: '1' | '2' | 'none' | 'hang-up' };

/**
 * One call as Exotel would make it: the Passthru greeting, then the Gather answer. '1' → agent_transfer,
 * '2' → declined, 'none' → re-prompt then silence → no_input, 'hang-up' → greeted only (the row stays open).
 */
export async function makeCall(base: string, plan: CallPlan): Promise<void> {
  const q = new URLSearchParams({ CallSid: plan.sid, customer_id: plan.customerId, customer_name: plan.name, From: plan.phone, To: '04446972509', language_code: plan.language });
  const greet = await fetch(`${base}/passthru-handler?${q}`);
  assert.equal(greet.status, 200, await greet.text());
  const gather = async (form: Record<string, string>) => {
    const res = await fetch(`${base}/gather-response`, { method: 'POST', body: new URLSearchParams({ CallSid: plan.sid, ...form }) });
    assert.equal(res.status, 200, await res.text());
  };
  if (plan.press === '1') await gather({ DigitsPressed: '1' });
  if (plan.press === '2') await gather({ digits: '"2"' });
  if (plan.press === 'none') {
    await gather({});
    await gather({ DigitsPressed: '' });
  }
}

/** No stack trace lines, and exactly one `error:` line. */
export function assertOneLineError(stderr: string, pattern: RegExp): void {
  const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0] ?? '', pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, stderr);
}
