/** The PostgreSQL connections inspect reads on refuse writes (registered when DATABASE_URL is set). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresHistory, openPostgresSql, openReadOnlyPostgresHistory } from '../../src/stores/pg-history.ts';
import type { HistoryStore } from '../../src/stores/ports.ts';
import {
  assertPostgresReachable,
  realDatabaseUrl,
  withPostgresSchema,
  type PostgresSchema,
} from '../support/services.ts';

const databaseUrl = realDatabaseUrl();

if (databaseUrl) {
  describe('read-only PostgreSQL history (inspect)', () => {
    let target: PostgresSchema;
    let writer: HistoryStore;
    let reader: HistoryStore;

    before(async () => {
      await assertPostgresReachable(databaseUrl);
      target = withPostgresSchema(databaseUrl, 'inspect_ro');
      writer = await openPostgresHistory({ url: databaseUrl, schema: target.schema });
      await writer.recordCallStart({
        callSid: 'CAro1',
        status: 'greeted',
        language: 'hi',
        exotelParams: {},
        event: { kind: 'passthru', detail: {} },
        customer: { customer_id: 'ro1' },
      });
      reader = await openReadOnlyPostgresHistory({ url: databaseUrl, schema: target.schema });
    });

    after(async () => {
      await reader?.close();
      await writer?.close();
      await target?.drop();
    });

    it('reads what the writer wrote', async () => {
      assert.equal((await reader.getCall('CAro1'))?.customer_id, 'ro1');
      assert.equal((await reader.listEvents('CAro1')).length, 1);
    });

    it('every write is refused by PostgreSQL (read-only transaction), and nothing changed', async () => {
      await assert.rejects(
        reader.recordCallUpdate({ callSid: 'CAro1', status: 'ended', event: { kind: 'gather', detail: {} } }),
        /read-only transaction/,
      );
      await assert.rejects(
        reader.recordCallStart({
          callSid: 'CAro2',
          status: 'greeted',
          language: 'en',
          exotelParams: {},
          event: { kind: 'passthru', detail: {} },
        }),
        /read-only transaction/,
      );
      assert.equal((await writer.getCall('CAro1'))?.status, 'greeted');
      assert.equal(await writer.getCall('CAro2'), undefined);
    });

    it('the session setting is on for every connection of the pool, DDL refused too', async () => {
      const sql = await openPostgresSql({ url: databaseUrl, schema: target.schema, readOnly: true });
      try {
        const results = await Promise.all(
          [1, 2, 3].map(() =>
            sql.query<{ default_transaction_read_only: string }>('show default_transaction_read_only'),
          ),
        );
        for (const r of results) assert.equal(r.rows[0]?.default_transaction_read_only, 'on');
        await assert.rejects(sql.exec('create table should_not_exist (id int)'), /read-only transaction/);
      } finally {
        await sql.close();
      }
    });
  });
}
