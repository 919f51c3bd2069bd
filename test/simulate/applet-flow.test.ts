/**
 * `simulate --flavor applet` end to end: the CLI walks an App Bazaar flow over HTTP against the real server's
 * applet endpoints, on embedded stores always and on the real Redis + PostgreSQL when REDIS_URL / DATABASE_URL are
 * set. Each call's history row shows what the walk did: the Passthru branch by digit, the end report of the Passthru
 * after Connect, and the StatusCallback's final status, stored once however many times it was delivered.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { runCli } from '../support/cli.ts';
import { startFake, type Fake } from '../support/fake-webhook.ts';
import { AGENT } from '../support/server.ts';
import { pollUntil } from '../support/services.ts';

type Step = {
  applet: string;
  kind: string;
  branch?: string;
  next?: string;
  keys?: { digits: string };
  exchange?: { url: string; params: Record<string, string>; status?: number; silent?: boolean };
  findings: Array<{ code: string; severity: string }>;
};
type Doc = {
  flavor: string;
  callSid: string;
  steps: Step[];
  outcome: { kind: string; numbers?: string[] };
  statusCallback: { url: string; delivered: boolean; attempts: Array<{ attempt: number; status?: number }> } | null;
};

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-applet-flow-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const backend of serverBackends('appletflow')) {
  describe(`simulate --flavor applet against serve on ${backend.name}`, () => {
    const server = useServerOn(backend);

    async function simulate(args: string[], expectCode = 0): Promise<Doc> {
      const res = await runCli(['--json', 'simulate', server().url, ...args], { cwd: dir });
      assert.equal(res.code, expectCode, `exit ${res.code}\n${res.stderr}\n${res.stdout}`);
      return JSON.parse(res.stdout) as Doc;
    }
    const finalStatus = (sid: string) =>
      pollUntil(async () => (await server().history.getCall(sid))?.final_status === 'completed', {
        timeoutMs: 10_000,
        message: `the StatusCallback of ${sid} never reached the call row`,
      });

    it('branch A: digit 1 → 200 → Connect → Passthru after Connect → StatusCallback', async () => {
      const doc = await simulate([
        '--flavor',
        'applet',
        '--digits',
        '1',
        '--customer-id',
        'flow-a',
        '--expect',
        'dial',
      ]);
      assert.equal(doc.flavor, 'applet');
      assert.deepEqual(
        doc.steps.map((s) => s.applet),
        ['greeting', 'menu', 'decide', 'agent', 'after_call', 'hangup'],
      );
      const [, menu, decide, agent, afterCall] = doc.steps;
      assert.equal(menu?.keys?.digits, '1');
      assert.deepEqual([decide?.exchange?.status, decide?.branch, decide?.next], [200, 'ok', 'agent']);
      assert.equal(decide?.exchange?.params.digits, '"1"');
      assert.match(decide?.exchange?.url ?? '', /[?&]digits=%221%22(&|$)/);
      assert.equal(agent?.exchange?.status, 200);
      const end = afterCall?.exchange?.params ?? {};
      assert.equal(end.CallType, 'completed');
      assert.equal(end.DialCallStatus, 'completed');
      assert.equal(end['Legs[0][Number]'], AGENT);
      assert.equal(end.DialCallDuration, '30');
      assert.deepEqual(doc.outcome.numbers, [AGENT]);
      assert.equal(doc.outcome.kind, 'dial');
      assert.deepEqual(
        doc.statusCallback?.attempts.map((a) => a.status),
        [200],
      );
      await finalStatus(doc.callSid);
      const row = await server().history.getCall(doc.callSid);
      assert.equal(row?.customer_id, 'flow-a');
      assert.equal(row?.outcome, 'agent_transfer');
      assert.equal(row?.dial_call_status, 'completed');
      assert.equal(row?.duration, 30);
    });

    it('branch B: another digit → 302 → the else branch → Hangup', async () => {
      const doc = await simulate(['--flavor', 'applet', '--digits', '2', '--expect', 'hangup']);
      const decide = doc.steps.find((s) => s.applet === 'decide');
      assert.deepEqual([decide?.exchange?.status, decide?.branch, decide?.next], [302, 'else', 'hangup']);
      assert.deepEqual(
        doc.steps.map((s) => s.applet),
        ['greeting', 'menu', 'decide', 'hangup'],
      );
      await finalStatus(doc.callSid);
      assert.equal((await server().history.getCall(doc.callSid))?.outcome, 'declined');
    });

    it('no input: digits="" → 302 → Hangup, outcome no-input', async () => {
      const doc = await simulate(['--flavor', 'applet', '--no-input', '--expect', 'no-input']);
      const decide = doc.steps.find((s) => s.applet === 'decide');
      assert.equal(decide?.exchange?.params.digits, '""');
      assert.equal(decide?.branch, 'else');
      assert.equal(doc.outcome.kind, 'no-input');
      await finalStatus(doc.callSid);
      assert.equal((await server().history.getCall(doc.callSid))?.outcome, 'no_input');
    });

    it('a StatusCallback endpoint that fails twice: 3 attempts, one stored update', async () => {
      // A proxy that hands every delivery to serve but answers 503 the first two times, so the store sees the
      // same callback three times and must keep one event.
      let seen = 0;
      const proxy: Fake = await startFake((req, res) => {
        seen += 1;
        void fetch(`${server().url}/exotel/status-callback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: req.body,
        }).then(async (answer) => {
          await answer.text();
          res.writeHead(seen <= 2 ? 503 : answer.status, { 'content-type': 'text/plain' });
          res.end(seen <= 2 ? 'busy' : 'ok');
        });
      });
      try {
        const doc = await simulate([
          '--flavor',
          'applet',
          '--digits',
          '2',
          '--status-callback',
          `${proxy.url}/callback`,
          '--status-json',
        ]);
        assert.deepEqual(
          doc.statusCallback?.attempts.map((a) => a.status),
          [503, 503, 200],
        );
        assert.equal(doc.statusCallback?.delivered, true);
        assert.equal(proxy.requests.length, 3);
        await finalStatus(doc.callSid);
        await server().writer.settle();
        const events = await server().history.listEvents(doc.callSid);
        assert.equal(events.filter((e) => e.kind === 'status-callback').length, 1);
      } finally {
        await proxy.close();
      }
    });

    it('a StatusCallback never accepted: 3 attempts, exit 1', async () => {
      const down = await startFake((_req, res) => {
        res.writeHead(500);
        res.end();
      });
      try {
        const doc = await simulate(
          ['--flavor', 'applet', '--digits', '2', '--status-callback', `${down.url}/callback`],
          1,
        );
        assert.equal(doc.statusCallback?.delivered, false);
        assert.equal(down.requests.length, 3);
      } finally {
        await down.close();
      }
    });

    it('a Passthru that times out takes the else branch', async () => {
      const silent = await startFake(() => {});
      const flow = join(dir, 'slow.yaml');
      await writeFile(
        flow,
        [
          'name: slow passthru',
          'applets:',
          '  greeting: { type: greeting, url: /exotel/greeting, next: menu }',
          '  menu: { type: gather, url: /exotel/gather, next: decide }',
          '  decide:',
          '    type: passthru',
          `    url: ${silent.url}/exotel/passthru`,
          '    on_ok: agent',
          '    on_else: goodbye',
          '  agent: { type: connect, url: /exotel/connect, next: goodbye }',
          '  goodbye: { type: hangup }',
          '',
        ].join('\n'),
      );
      try {
        const doc = await simulate(['--flow', 'slow.yaml', '--digits', '1', '--timeout', '300']);
        const decide = doc.steps.find((s) => s.applet === 'decide');
        assert.equal(decide?.exchange?.silent, true);
        assert.deepEqual([decide?.branch, decide?.next], ['else', 'goodbye']);
        assert.deepEqual(
          doc.steps.map((s) => s.applet),
          ['greeting', 'menu', 'decide', 'goodbye'],
        );
        assert.equal(doc.outcome.kind, 'hangup');
        assert.equal(doc.statusCallback, null, 'the flow names no status_callback');
      } finally {
        await silent.close();
      }
    });
  });
}

describe('flow files', () => {
  it('a malformed flow file is a usage error at file:line:col (exit 2)', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      [
        'applets:',
        '  start:',
        '    type: passthru',
        '    url: /exotel/passthru',
        '    on_ok: hangup',
        '    on_other: x',
        '',
      ].join('\n'),
    );
    const res = await runCli(['simulate', '--flow', 'bad.yaml', '--digits', '1'], { cwd: dir });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error: bad\.yaml:6:5: unknown key "on_other" in applet "start" \(type passthru\)/m);
  });

  it('flags of the ExoML flavour are refused with --flow', async () => {
    const res = await runCli(
      ['simulate', '--flow', 'bad.yaml', '--digits', '1', '--param', 'a=b', '--method', 'POST'],
      {
        cwd: dir,
      },
    );
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error: --param, --method: for the ExoML flavour only, not with --flavor applet/m);
  });

  it('a transition to an applet that does not exist is reported where it is written', async () => {
    await writeFile(
      join(dir, 'target.yaml'),
      ['applets:', '  menu:', '    type: gather', '    prompt: Press 1', '    next: decid', ''].join('\n'),
    );
    const res = await runCli(['simulate', '--flow', 'target.yaml', '--digits', '1'], { cwd: dir });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error: target\.yaml:5:11: no applet named "decid" \(applets: menu; or hangup\)/m);
  });
});
