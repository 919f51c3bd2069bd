/**
 * Prompts only where a person at a terminal expects them, through the injected prompt interface with scripted
 * answers: `simulate --csv` without --row offers a searchable customer list, `inspect call` without a CallSid the
 * recent calls; without a terminal, `simulate` without --digits / --no-input is a usage error before any request.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PickQuestion, PromptDeps } from '../../src/cli/context.ts';
import { runCli } from '../support/cli.ts';
import { makeCall } from '../support/inspect-calls.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const GATHER =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/g" numDigits="1"><Say>Press 1.</Say></Gather></Response>';

/** A webhook that answers every request with a Gather and remembers each request's URL. */
async function countingWebhook(): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/xml' }).end(GATHER);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/passthru-handler`, requests, server };
}

function scripted(answer: (q: PickQuestion) => string): { prompts: PromptDeps; asked: PickQuestion[] } {
  const asked: PickQuestion[] = [];
  const pick = async (q: PickQuestion) => {
    asked.push(q);
    return answer(q);
  };
  return { prompts: { keypad: async () => '1', select: pick, search: pick }, asked };
}

describe('simulate: prompts on a terminal only', () => {
  let hook: Awaited<ReturnType<typeof countingWebhook>>;
  let dir: string;
  before(async () => {
    hook = await countingWebhook();
    dir = await mkdtemp(join(tmpdir(), 'exo-prompts-'));
    const csv =
      'customer_id,customer_name,phone,loan_id,amount,due_date\nC1,Asha Verma,9876543210,LN-1,100,2025-09-01\nC2,Ravi Kumar,9876543211,LN-2,200,2025-09-02\nC3,Meena Iyer,9876543212,LN-3,300,2025-09-03\n';
    await writeFile(join(dir, 'customers.csv'), csv);
  });
  after(async () => {
    hook.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('no terminal, no --digits, no --no-input: usage error (exit 2) and no request reached the webhook', async () => {
    hook.requests.length = 0;
    const res = await runCli(['simulate', hook.url]);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /stdin is not a terminal/);
    assert.match(res.stderr, /--digits 1.*--no-input/);
    assert.deepEqual(hook.requests, []);
    // A terminal without any prompt to draw on is no better.
    const noPrompts = await runCli(['simulate', hook.url], { tty: true });
    assert.equal(noPrompts.code, 2, noPrompts.stderr);
    assert.deepEqual(hook.requests, []);
  });

  it('--csv without --row on a terminal: a searchable list of the customers; the chosen row is called', async () => {
    hook.requests.length = 0;
    const { prompts, asked } = scripted((q) => q.choices.find((c) => c.name.includes('Ravi'))?.value ?? '');
    const res = await runCli(['simulate', hook.url, '--csv', join(dir, 'customers.csv'), '--digits', '1'], {
      tty: true,
      prompts,
    });
    assert.equal(asked.length, 1, res.stderr);
    assert.deepEqual(
      asked[0]?.choices.map((c) => [c.name, c.value]),
      [
        ['1. C1 · Asha Verma', '1'],
        ['2. C2 · Ravi Kumar', '2'],
        ['3. C3 · Meena Iyer', '3'],
      ],
    );
    assert.match(asked[0]?.choices[1]?.description ?? '', /LN-2/);
    const first = new URL(hook.requests[0] ?? '/', 'http://x').searchParams;
    assert.equal(first.get('customer_id'), 'C2');
    assert.equal(first.get('customer_name'), 'Ravi Kumar');
  });

  it('--csv without --row and no terminal: no list, a usage error naming --row', async () => {
    const { prompts, asked } = scripted(() => '1');
    const res = await runCli(['simulate', hook.url, '--csv', join(dir, 'customers.csv'), '--digits', '1'], { prompts });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--row N/);
    assert.equal(asked.length, 0);
  });
});

describe('inspect call without a CallSid', () => {
  let server: TestServer;
  let cwd: string;
  before(async () => {
    server = await startTestServer();
    cwd = await mkdtemp(join(tmpdir(), 'exo-prompts-inspect-'));
    await makeCall(server.url, {
      sid: 'CApick1',
      customerId: 'cust_a',
      name: 'Asha',
      phone: '+919876543210',
      language: 'hi-IN',
      press: '1',
    });
    await makeCall(server.url, {
      sid: 'CApick2',
      customerId: 'cust_b',
      name: 'Ravi',
      phone: '+919876543211',
      language: 'en-IN',
      press: '2',
    });
  });
  after(async () => {
    await server.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it('on a terminal: offers the recent calls and shows the one chosen', async () => {
    const { prompts, asked } = scripted((q) => q.choices.find((c) => c.value === 'CApick1')?.value ?? '');
    const res = await runCli(['inspect', 'call', '--server', server.url, '--admin-token', server.adminToken], {
      cwd,
      env: {},
      tty: true,
      prompts,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(asked[0]?.choices.map((c) => c.value).sort(), ['CApick1', 'CApick2']);
    assert.match(asked[0]?.choices.find((c) => c.value === 'CApick1')?.name ?? '', /^CApick1 .*agent_transfer$/);
    assert.match(res.stdout, /^call CApick1 · /);
  });

  it('without a terminal: a usage error, nothing asked', async () => {
    const { prompts, asked } = scripted(() => 'CApick1');
    const res = await runCli(['inspect', 'call', '--server', server.url, '--admin-token', server.adminToken], {
      cwd,
      env: {},
      prompts,
    });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /CallSid/);
    assert.equal(asked.length, 0);
  });
});
