/**
 * `exo-passthru simulate` in-process (runCli): the transcript as a user reads it, the interactive keypad through
 * injected prompts, the no-terminal usage error, --expect exit codes, unreachable URLs, CSV rows, the default
 * URL from BASE_URL / PORT, and the webhook key.
 */
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PromptDeps } from '../../src/cli/context.ts';
import { runCli } from '../support/cli.ts';
import { AGENT, EXOPHONE, startTestServer, type TestServer } from '../support/server.ts';
import { closedPort } from '../support/services.ts';

type Question = Parameters<PromptDeps['keypad']>[0];

let server: TestServer;
let keyed: TestServer;
let dir: string;
before(async () => {
  server = await startTestServer();
  keyed = await startTestServer({ webhookKey: 'k3y' });
  dir = await mkdtemp(join(tmpdir(), 'exo-sim-'));
});
after(async () => {
  await server.close();
  await keyed.close();
  await rm(dir, { recursive: true, force: true });
});

const handler = () => `${server.url}/passthru-handler`;

describe('simulate CLI', () => {
  it('a URL without a path that answers 404 gets a hint to add /passthru-handler; a 404 on a path does not', async () => {
    for (const url of [server.url, `${server.url}/`]) {
      const res = await runCli(['simulate', url, '--digits', '1']);
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stdout, /outcome: error: HTTP 404 Not Found/);
      assert.ok(
        res.stdout.includes(
          `The URL has no path: for exo-passthru serve, add /passthru-handler (${server.url}/passthru-handler)`,
        ),
        res.stdout,
      );
    }
    const wrongPath = await runCli(['simulate', `${server.url}/nope`, '--digits', '1']);
    assert.match(wrongPath.stdout, /HTTP 404/);
    assert.doesNotMatch(wrongPath.stdout, /has no path/);
  });

  it('digit groups left when the call ends are noted, and are warnings in --json', async () => {
    const res = await runCli(['simulate', handler(), '--digits', '1,2,3']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^ {2}⚠ 2 --digits groups left unused: "2", "3"; the call ended at a Dial before another Gather$/m,
    );
    const json = await runCli(['--json', 'simulate', handler(), '--digits', '2,1']);
    const doc = JSON.parse(json.stdout) as { outcome: { kind: string }; warnings: string[] };
    assert.equal(doc.outcome.kind, 'hangup');
    assert.deepEqual(doc.warnings, [
      '1 --digits group left unused: "1"; the call ended at a Hangup before another Gather',
    ]);
    const exact = await runCli(['--json', 'simulate', handler(), '--digits', '1']);
    assert.deepEqual((JSON.parse(exact.stdout) as { warnings: string[] }).warnings, []);
  });

  it('prints the call as it unfolds: requests, what is said, keys, the Dial, the outcome', async () => {
    const res = await runCli(['simulate', handler(), '--digits', '1', '--name', 'Asha Verma']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.match(lines[0] ?? '', /^▶ GET \/passthru-handler 200 \d+ ms$/);
    assert.match(res.stdout, /^ {2}🔊 Say \[en\] Hello Asha Verma, this is Priya calling from Demo Finance\.$/m);
    assert.match(res.stdout, /^ {2}⌨ Gather numDigits=1 timeout=10 finishOnKey=#$/m);
    assert.match(res.stdout, /^ {4}🔊 Say \[en\] To talk to an agent, press 1\./m);
    assert.match(res.stdout, /^ {4}→ pressed 1$/m);
    assert.match(res.stdout, /^▶ POST \/gather-response 200 \d+ ms$/m);
    assert.ok(res.stdout.includes(`  ☎ Dial ${AGENT} (callerId ${EXOPHONE})\n`));
    assert.ok(res.stdout.includes(`outcome: dial ${AGENT} (callerId ${EXOPHONE})\n`));
    assert.match(res.stdout, /2 requests, \d+ ms server time, 0 findings; CallSid [0-9a-z]{32}/);
    assert.equal(res.stderr, '');
  });

  it('--json: the first request looks like the captures (CallSid and Created formats, no CallStatus, flow_id); --direction and --documented-created', async () => {
    type Doc = { steps: Array<{ request: { params: Record<string, string> } }> };
    const first = async (...args: string[]) => {
      const res = await runCli(['--json', 'simulate', handler(), '--digits', '1', ...args]);
      assert.equal(res.code, 0, res.stderr);
      return (JSON.parse(res.stdout) as Doc).steps[0]?.request.params ?? {};
    };
    const api = await first();
    assert.match(api.CallSid ?? '', /^[0-9a-f]{31}[0-9a-z]$/);
    assert.match(
      api.Created ?? '',
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2}$/,
    );
    assert.match(api.StartTime ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(api.CallStatus, undefined);
    assert.deepEqual(
      [api.Direction, api.flow_id !== undefined, api.tenant_id !== undefined, api.CustomField !== undefined],
      ['outbound-dial', true, true, true],
    );
    const incoming = await first('--direction', 'incoming', '--documented-created');
    assert.deepEqual([incoming.Direction, incoming.CustomField], ['incoming', undefined]);
    assert.match(incoming.Created ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('on a terminal without --digits: the keypad asks, with numDigits, finish key and timeout', async () => {
    const questions: Question[] = [];
    const prompts: PromptDeps = {
      keypad: async (question) => {
        questions.push(question);
        return '1';
      },
    };
    const res = await runCli(['simulate', handler()], { tty: true, prompts });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(questions, [{ message: 'keys', numDigits: 1, finishOnKey: '#', timeoutSeconds: 10 }]);
    assert.match(res.stdout, /→ pressed 1 \(keypad\)/);
    assert.ok(res.stdout.includes(`outcome: dial ${AGENT}`));
  });

  it('the keypad with nothing typed twice: re-prompt, then goodbye; --json keeps the prompt text in the question', async () => {
    const questions: Question[] = [];
    const res = await runCli(['--json', 'simulate', handler()], {
      tty: true,
      prompts: {
        keypad: async (q) => {
          questions.push(q);
          return '';
        },
      },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(questions.length, 2);
    assert.match(questions[0]?.message ?? '', /^"To talk to an agent, press 1\..*" — keys$/);
    assert.equal((JSON.parse(res.stdout) as { outcome: { kind: string } }).outcome.kind, 'hangup');
  });

  it('stdin not a terminal and a Gather needs keys: usage error naming --digits and --no-input', async () => {
    const res = await runCli(['simulate', handler()]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /reached a <Gather>.*stdin is not a terminal/);
    assert.match(res.stderr, /--digits 1/);
    assert.match(res.stderr, /--no-input/);
  });

  it('--expect: 0 when every expectation holds, 1 when one fails, 2 when one is not understood', async () => {
    const pass = await runCli([
      'simulate',
      handler(),
      '--digits',
      '1',
      '--expect',
      'dial',
      '--expect',
      `dial:${AGENT}`,
      '--expect',
      'say:press 1',
    ]);
    assert.equal(pass.code, 0, pass.stdout);
    assert.match(pass.stdout, /✓ expect dial: Dial/);
    const fail = await runCli(['simulate', handler(), '--digits', '2', '--expect', 'dial', '--expect', 'hangup']);
    assert.equal(fail.code, 1);
    assert.match(fail.stdout, /✗ expect dial: no Dial was played; outcome: hangup/);
    assert.match(fail.stdout, /✓ expect hangup/);
    const wrongNumber = await runCli(['simulate', handler(), '--digits', '1', '--expect', 'dial:+919000000000']);
    assert.equal(wrongNumber.code, 1);
    const bad = await runCli(['simulate', handler(), '--digits', '1', '--expect', 'transfer']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--expect "transfer": expected one of dial, dial:<number>, hangup, no-input, say:<text>/);
  });

  it('usage errors: --digits with --no-input, keys a phone lacks, a bad URL, --row without --csv, --param without =', async () => {
    for (const args of [
      ['--digits', '1', '--no-input'],
      ['--digits', '1a'],
      ['--row', '2', '--digits', '1'],
      ['--param', 'CallSid', '--digits', '1'],
      ['--timeout', '0', '--digits', '1'],
    ]) {
      const res = await runCli(['simulate', handler(), ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    }
    const ftp = await runCli(['simulate', 'ftp://example.com/x', '--digits', '1']);
    assert.equal(ftp.code, 2);
    assert.match(ftp.stderr, /absolute http\(s\) URL/);
  });

  it('a closed port: exit 3, connection refused, also with --json (the document is still printed)', async () => {
    const port = await closedPort();
    const res = await runCli(['simulate', `http://127.0.0.1:${port}/passthru-handler`, '--digits', '1']);
    assert.equal(res.code, 3);
    assert.match(res.stdout, /✖ connection refused by 127\.0\.0\.1:\d+/);
    assert.match(
      res.stderr,
      /\[exo-passthru\] \[server\] connection refused.*\nhint: start it with: exo-passthru serve/,
    );
    const json = await runCli(['--json', 'simulate', `http://127.0.0.1:${port}/passthru-handler`, '--digits', '1']);
    assert.equal(json.code, 3);
    const doc = JSON.parse(json.stdout) as { outcome: { kind: string; unreachable: boolean } };
    assert.deepEqual([doc.outcome.kind, doc.outcome.unreachable], ['error', true]);
  });

  it('the URL defaults to BASE_URL, else http://127.0.0.1:PORT, + /passthru-handler', async () => {
    const fromBase = await runCli(['simulate', '--digits', '1'], { env: { BASE_URL: server.url } });
    assert.equal(fromBase.code, 0, fromBase.stderr);
    const port = new URL(server.url).port;
    const fromPort = await runCli(['--json', 'simulate', '--digits', '1'], { env: { PORT: port } });
    assert.equal(fromPort.code, 0, fromPort.stderr);
    assert.equal((JSON.parse(fromPort.stdout) as { url: string }).url, `http://127.0.0.1:${port}/passthru-handler`);
  });

  it('--csv --row and --csv --customer-id: that customer is greeted; flags override the row', async () => {
    const csv = join(dir, 'customers.csv');
    await writeFile(
      csv,
      'customer_id,customer_name,phone,amount,state\nC1,Meena Iyer,9876500001,2500,Tamil Nadu\nC2,Rahul Das,9876500002,900,West Bengal\n',
    );
    const byRow = await runCli(['simulate', handler(), '--csv', csv, '--row', '2', '--digits', '2']);
    assert.equal(byRow.code, 0, byRow.stderr);
    assert.match(byRow.stdout, /Say \[bn\] .*Rahul Das/);
    const byId = await runCli([
      '--json',
      'simulate',
      handler(),
      '--csv',
      csv,
      '--customer-id',
      'C1',
      '--language',
      'en',
      '--digits',
      '2',
    ]);
    assert.equal(byId.code, 0, byId.stderr);
    const params = (JSON.parse(byId.stdout) as { steps: Array<{ request: { params: Record<string, string> } }> })
      .steps[0]?.request.params;
    assert.equal(params?.customer_name, 'Meena Iyer');
    assert.equal(params?.CallFrom, '09876500001');
    assert.equal(params?.language_code, 'en-IN');
    const missing = await runCli([
      'simulate',
      handler(),
      '--csv',
      join(dir, 'nope.csv'),
      '--row',
      '1',
      '--digits',
      '1',
    ]);
    assert.equal(missing.code, 2);
  });

  it('WEBHOOK_KEY is sent as ?key= (serve then signs the action with tok); without it serve answers 401', async () => {
    const url = `${keyed.url}/passthru-handler`;
    const ok = await runCli(['simulate', url, '--digits', '1', '--expect', 'dial'], { env: { WEBHOOK_KEY: 'k3y' } });
    assert.equal(ok.code, 0, ok.stdout);
    const flag = await runCli(['simulate', url, '--digits', '1', '--key', 'k3y']);
    assert.equal(flag.code, 0, flag.stdout);
    const denied = await runCli(['simulate', url, '--digits', '1']);
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /outcome: error: HTTP 401 Unauthorized \(body: "unauthorized: missing key"\)/);
  });

  it('--help documents digit parameters, expectations, exit codes and examples', async () => {
    const res = await runCli(['simulate', '--help']);
    assert.equal(res.code, 0);
    for (const text of [
      'DigitsPressed',
      'digits="1"',
      '--expect',
      '0 the call completed',
      '3 the server does not answer',
      'Examples:',
      'exo-passthru simulate --digits 1',
    ]) {
      assert.ok(res.stdout.includes(text), `help mentions ${text}`);
    }
  });
});
