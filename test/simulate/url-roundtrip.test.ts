/**
 * `url` → `simulate` round trip, against serve on embedded stores and on the real Redis + PostgreSQL when
 * REDIS_URL / DATABASE_URL are set: a URL that already carries its customer (or a signature) is sent as it is,
 * so the call row and the customer row hold exactly the flag/CSV fields, never simulate's placeholder customer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serverBackends, useServerOn } from '../support/backends.ts';
import { runCli } from '../support/cli.ts';

const KEY = 'round-trip-key';
const CUSTOMER = ['--customer-id', 'C1', '--name', 'Asha', '--phone', '9876543210', '--amount', '100'];

type Doc = {
  callSid: string;
  steps: Array<{ request: { url: string; params: Record<string, string> }; status?: number }>;
  outcome: { kind: string };
};

for (const backend of serverBackends('roundtrip')) {
  describe(`url → simulate → history on ${backend.name}`, () => {
    const server = useServerOn(backend, { webhookKey: KEY });
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'exo-roundtrip-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function url(...args: string[]): Promise<string> {
      const res = await runCli(['url', ...args, '--base-url', server().url, '--format', 'urls'], {
        env: { WEBHOOK_KEY: KEY },
      });
      assert.equal(res.code, 0, res.stderr);
      return res.stdout.trim();
    }

    async function simulate(...args: string[]): Promise<Doc> {
      const res = await runCli(['--json', 'simulate', ...args, '--digits', '1'], { env: { WEBHOOK_KEY: KEY } });
      assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}\n${res.stdout}`);
      return JSON.parse(res.stdout) as Doc;
    }

    async function assertSavedExactly(doc: Doc): Promise<void> {
      assert.equal(doc.outcome.kind, 'dial', 'the call reached the agent (no 401)');
      await server().writer.settle();
      const call = await server().history.getCall(doc.callSid);
      assert.equal(call?.customer_id, 'C1');
      const customer = await server().history.getCustomer('C1');
      assert.equal(customer?.name, 'Asha');
      assert.equal(customer?.amount, '100.00');
      assert.equal(customer?.loan_id, null, 'no placeholder loan');
      assert.equal(customer?.phone, '+919876543210');
    }

    it('a one-off URL with key= is sent as it is', async () => {
      const passthru = await url(...CUSTOMER);
      const doc = await simulate(passthru);
      const params = doc.steps[0]?.request.params ?? {};
      assert.equal(params.loan_id, undefined, 'no placeholder customer appended');
      assert.equal(params.customer_name, undefined, 'the URL already names the customer');
      await assertSavedExactly(doc);
    });

    it('a signed URL is not touched: not 401', async () => {
      const passthru = await url(...CUSTOMER, '--sign');
      const doc = await simulate(passthru);
      assert.ok(doc.steps[0]?.request.url.startsWith(passthru), 'the signed URL is the prefix of the request');
      await assertSavedExactly(doc);
    });

    it('simulate --csv --row N sends the customer fields url writes for that row', async () => {
      const csv = join(dir, 'customers.csv');
      await writeFile(
        csv,
        'customer_id,name,phone,amount,temp_call_id\nC0,Ravi,9876543219,50,T0\nC1,Asha,9876543210,100,T1\n',
      );
      const lines = (await runCli(['url', '--csv', csv, '--base-url', server().url, '--format', 'urls'])).stdout
        .trim()
        .split('\n');
      const expected = Object.fromEntries(new URL(lines[1] ?? '').searchParams);
      const doc = await simulate(`${server().url}/passthru-handler`, '--csv', csv, '--row', '2');
      const params = doc.steps[0]?.request.params ?? {};
      const sent = Object.fromEntries(Object.keys(expected).map((name) => [name, params[name]]));
      assert.deepEqual(sent, expected);
      for (const field of ['loan_id', 'due_date']) assert.equal(params[field], undefined, `${field}: no placeholder`);
      await assertSavedExactly(doc);
    });
  });
}
