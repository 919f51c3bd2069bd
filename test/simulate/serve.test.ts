/**
 * `simulate` against our own server (createApp + listen on 127.0.0.1:0), over HTTP only: on embedded stores
 * always, and on the real Redis + PostgreSQL when REDIS_URL / DATABASE_URL are set (own key prefix and schema,
 * removed afterwards; a set but unreachable service fails the suite). After each call the session and the call
 * row hold what the caller pressed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { AGENT, EXOPHONE } from '../support/server.ts';

const backends = serverBackends('simulate');

type Doc = {
  callSid: string;
  steps: Array<{
    request: { method: string; url: string; params: Record<string, string> };
    findings: unknown[];
    verbs: Array<{ verb: string; input?: { kind: string; digits?: string } }>;
  }>;
  outcome: { kind: string; number?: string; callerId?: string };
};

for (const backend of backends) {
  describe(`simulate against serve on ${backend.name}`, () => {
    const server = useServerOn(backend);

    async function simulate(...args: string[]) {
      const res = await runCli(['--json', 'simulate', `${server().url}/passthru-handler`, ...args]);
      assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}\n${res.stdout}`);
      return JSON.parse(res.stdout) as Doc;
    }

    it('--digits 1: greeting, menu, then Dial to the agent; session and call row hold the digit', async () => {
      const doc = await simulate(
        '--digits',
        '1',
        '--customer-id',
        'sim-c1',
        '--name',
        'Riddhi Mittal',
        '--language',
        'hi-IN',
      );
      assert.deepEqual(doc.outcome, {
        kind: 'dial',
        number: AGENT,
        numbers: [AGENT],
        callerId: EXOPHONE,
        reason: 'the caller is connected; the call leaves the flow',
      });
      assert.equal(doc.steps.length, 2);
      assert.deepEqual(
        doc.steps.map((s) => s.findings),
        [[], []],
        'serve answers clean ExoML',
      );
      const session = await server().sessions.get(doc.callSid);
      assert.equal(session?.digits, '1');
      assert.equal(session?.digitSource, 'DigitsPressed');
      assert.equal(session?.customer?.customer_name, 'Riddhi Mittal');
      const row = await server().history.getCall(doc.callSid);
      assert.equal(row?.digits, '1');
      assert.equal(row?.outcome, 'agent_transfer');
      assert.equal(row?.agent_number, AGENT);
      assert.equal(row?.exotel_params.CallType, 'call-attempt', 'the Exotel-shaped request reached the history');
    });

    it('--digits 2: thank you and Hangup; declined with the digit stored', async () => {
      const doc = await simulate('--digits', '2', '--expect', 'hangup');
      assert.equal(doc.outcome.kind, 'hangup');
      assert.equal((await server().sessions.get(doc.callSid))?.digits, '2');
      const row = await server().history.getCall(doc.callSid);
      assert.equal(row?.digits, '2');
      assert.equal(row?.outcome, 'declined');
    });

    it('--no-input: re-prompt, then goodbye and Hangup', async () => {
      const doc = await simulate('--no-input', '--expect', 'no-input', '--expect', 'hangup');
      assert.equal(doc.outcome.kind, 'hangup');
      assert.deepEqual(
        doc.steps.map((s) => s.verbs.map((v) => v.verb)),
        [
          ['Say', 'Say', 'Say', 'Gather', 'Redirect'],
          ['Gather', 'Redirect'],
          ['Say', 'Hangup'],
        ],
        'greeting + menu, re-prompt, goodbye',
      );
      const gathers = doc.steps.flatMap((s) => s.verbs.filter((v) => v.verb === 'Gather'));
      assert.deepEqual(
        gathers.map((g) => g.input?.kind),
        ['no-input', 'no-input'],
      );
      const session = await server().sessions.get(doc.callSid);
      assert.equal(session?.outcome, 'no_input');
      assert.equal(session?.attempts, 2);
      assert.equal((await server().history.getCall(doc.callSid))?.outcome, 'no_input');
    });

    for (const [flavour, method, stored] of [
      ['DigitsPressed', 'POST', 'DigitsPressed'],
      ['digits', 'GET', 'digits'],
      ['Digits', 'POST', 'Digits'],
    ] as const) {
      it(`--digit-param ${flavour}: serve reads the digit (${method})`, async () => {
        const doc = await simulate('--digits', '1', '--digit-param', flavour, '--expect', `dial:${AGENT}`);
        const gatherRequest = doc.steps[1]?.request;
        assert.equal(gatherRequest?.method, method);
        assert.equal(gatherRequest?.params[flavour], flavour === 'digits' ? '"1"' : '1');
        assert.equal(doc.outcome.kind, 'dial');
        const session = await server().sessions.get(doc.callSid);
        assert.equal(session?.digits, '1');
        assert.equal(session?.digitSource, stored);
        assert.equal((await server().history.getCall(doc.callSid))?.digits, '1');
      });
    }

    it('a multi-step menu: --digits ",2" lets the first Gather time out and answers the re-prompt', async () => {
      const doc = await simulate('--digits', ',2', '--legacy-params', '--e164');
      assert.equal(doc.outcome.kind, 'hangup');
      assert.equal(doc.steps[0]?.request.params.flow_id, '68135');
      assert.match(doc.steps[0]?.request.params.CallFrom ?? '', /^\+91/);
      assert.equal((await server().history.getCall(doc.callSid))?.digits, '2');
    });
  });
}
