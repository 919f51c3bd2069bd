/**
 * `test`'s `state:` checks against the real Redis and PostgreSQL (REDIS_URL / DATABASE_URL; CI sets both), the way
 * a user runs it against a deployed serve: read straight from the stores (REDIS_URL / DATABASE_URL with the
 * server's REDIS_PREFIX / DATABASE_SCHEMA), or through serve's admin API with ADMIN_TOKEN. A mismatch is caught
 * with exit 1 and reads as expected vs actual. Each run works under its own prefix and schema, removed after.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realStores } from '../support/backends.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { realDatabaseUrl, realRedisUrl, uniqueName } from '../support/services.ts';

const redisUrl = realRedisUrl();
const databaseUrl = realDatabaseUrl();

const PRESS_1 = `name: press 1 on the real stores
customer: { customer_id: st-1, customer_name: Riddhi Mittal, loan_id: LOAN12345, amount: 15000, language_code: hi }
steps:
  - expect: { gather: { numDigits: 1 } }
  - press: "1"
  - expect: { verbs: [Say, Dial] }
`;

// Registered only with both real stores, as every real-store suite (.ci/run sets both; unreachable ones fail).
if (redisUrl !== undefined && databaseUrl !== undefined) {
  describe('test: state: read from the real Redis and PostgreSQL', () => {
    let server: TestServer;
    let dir: string;
    const stores = realStores('scenario_state', { redisUrl, databaseUrl });
    const { prefix, schema } = stores;
    /** What `test` is given to read the stores directly: the URLs, and where this server keeps its data. */
    const direct = () => ({
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: prefix,
      DATABASE_SCHEMA: schema,
    });

    before(async () => {
      server = await startTestServer(await stores.open());
      dir = await mkdtemp(join(tmpdir(), 'exo-state-stores-'));
    });
    after(async () => {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
      await stores.cleanup();
    });

    async function play(name: string, state: string, env: Record<string, string | undefined>) {
      const file = join(dir, name);
      await writeFile(file, `${PRESS_1}state:\n${state}`);
      return runCli(['test', '--url', `${server.url}/passthru-handler`, file], { env });
    }

    it('passes when the session and the call row hold what the scenario says (direct)', async () => {
      const result = await play(
        'ok.yaml',
        '  session: { digits: "1", outcome: agent_transfer, language: hi }\n  call: { outcome: agent_transfer, language: hi }\n',
        direct(),
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /✓ state/);
    });

    it('fails a call-row mismatch with exit 1, expected vs actual (direct)', async () => {
      const result = await play('call.yaml', '  call: { outcome: declined }\n', direct());
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /✗ state/);
      assert.match(result.stdout, /call\.outcome\n\s+- expected: declined\n\s+\+ actual: {3}agent_transfer/);
    });

    it('fails a session mismatch with exit 1 (direct)', async () => {
      const result = await play('session.yaml', '  session: { language: ta }\n', direct());
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /session\.language\n\s+- expected: ta\n\s+\+ actual: {3}hi/);
    });

    it('under another Redis prefix the session is missing; a schema without history is an error naming DATABASE_SCHEMA', async () => {
      const other = await play('prefix.yaml', '  session: { outcome: agent_transfer }\n', {
        ...direct(),
        REDIS_PREFIX: `${uniqueName('scenario_none')}:`,
      });
      assert.equal(other.code, 1, other.stdout + other.stderr);
      assert.match(other.stdout, /session\.outcome\n\s+- expected: agent_transfer\n\s+\+ actual: {3}no session/);
      const empty = uniqueName('scenario_none');
      const result = await play('schema.yaml', '  call: { outcome: agent_transfer }\n', {
        ...direct(),
        DATABASE_SCHEMA: empty,
      });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, new RegExp(`no exo-passthru history in schema "${empty}"`));
      assert.match(result.stderr, /DATABASE_SCHEMA/);
    });

    it('reads the same state through the admin API with ADMIN_TOKEN', async () => {
      const admin = { REDIS_URL: undefined, DATABASE_URL: undefined, ADMIN_TOKEN: server.adminToken };
      const ok = await play('admin-ok.yaml', '  call: { outcome: agent_transfer }\n', admin);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const bad = await play('admin-bad.yaml', '  call: { outcome: no_input }\n', admin);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /call\.outcome\n\s+- expected: no_input\n\s+\+ actual: {3}agent_transfer/);
    });
  });
}
