/**
 * Versioned schema migrations, applied when a history store opens.
 *
 * The whole run is ONE script sent with `exec`, so PostgreSQL executes it as one implicit transaction:
 * it first takes a transaction-scoped advisory lock keyed by the schema (two processes opening at once queue up
 * instead of racing on CREATE), then applies each migration whose version is not yet in `schema_migrations`.
 * Each migration is wrapped in a DO block that checks its version, so running the script twice is a no-op, and a
 * failing migration rolls back everything, including the version rows.
 *
 * Append new migrations; never edit an applied one.
 */
import { quoteIdent, type SqlPort } from './sql-port.ts';

export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'customers, call_sessions, call_events',
    sql: `
      create table customers (
        customer_id text primary key,
        name text,
        phone text,
        loan_id text,
        amount numeric(14,2),
        due_date date,
        state text,
        language_code text,
        created_at timestamptz default now(),
        updated_at timestamptz default now()
      );
      create table call_sessions (
        id bigserial primary key,
        call_sid text unique not null,
        customer_id text references customers(customer_id),
        status text not null,
        direction text,
        started_at timestamptz not null default now(),
        ended_at timestamptz,
        language text,
        digits text,
        outcome text check (outcome in ('agent_transfer','declined','no_input','error')),
        agent_number text,
        exotel_params jsonb not null default '{}',
        updated_at timestamptz not null default now()
      );
      create index call_sessions_customer_id_idx on call_sessions (customer_id);
      create index call_sessions_started_at_idx on call_sessions (started_at desc);
      create table call_events (
        id bigserial primary key,
        call_sid text not null,
        at timestamptz not null default clock_timestamp(),
        kind text not null,
        detail jsonb not null default '{}'
      );
      create index call_events_call_sid_id_idx on call_events (call_sid, id);
    `,
  },
  {
    // "Session" means the Redis record everywhere else; this table holds the history of calls. Every name the
    // table owns follows it (the constraints' indexes are renamed with them), whatever PostgreSQL version named
    // them: PostgreSQL 18 also names NOT NULL constraints, older versions do not.
    version: 2,
    name: 'rename call_sessions to calls',
    sql: `
      alter table call_sessions rename to calls;
      alter sequence call_sessions_id_seq rename to calls_id_seq;
      alter index call_sessions_customer_id_idx rename to calls_customer_id_idx;
      alter index call_sessions_started_at_idx rename to calls_started_at_idx;
      declare
        c record;
      begin
        for c in select conname from pg_constraint where conrelid = 'calls'::regclass and conname like 'call\\_sessions\\_%' loop
          execute format('alter table calls rename constraint %I to %I', c.conname, 'calls_' || substr(c.conname, length('call_sessions_') + 1));
        end loop;
      end;
    `,
  },
  {
    version: 3,
    name: 'call_events.write_id: a replayed write is appended once',
    sql: `
      alter table call_events add column write_id text;
      create unique index call_events_write_id_idx on call_events (write_id);
    `,
  },
  {
    // A Passthru after a Connect or a Voicebot applet reports how the call ended: what the dial did, how long
    // it lasted, where the recording is, and the stream's own details (docs/exotel-protocol.md §1.2, §1.3).
    version: 4,
    name: 'calls: dial status, duration, recording URL, stream details',
    sql: `
      alter table calls add column dial_call_status text;
      alter table calls add column dial_call_duration integer;
      alter table calls add column recording_url text;
      alter table calls add column stream jsonb;
    `,
  },
];

/** Arbitrary constant namespacing our advisory locks ("EXOP"); the second key is the schema's hash. */
const LOCK_NAMESPACE = 0x45584f50 & 0x7fffffff;

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function migrationScript(schema: string, migrations: readonly Migration[] = MIGRATIONS): string {
  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] ?? 0))) throw new Error('migrations must have increasing versions');
  const steps = migrations.map(
    (m) => `do $migration$ begin
  if not exists (select 1 from schema_migrations where version = ${m.version}) then
    ${m.sql.trim()}
    insert into schema_migrations (version, applied_at) values (${m.version}, now());
  end if;
end $migration$;`,
  );
  return [
    `select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${literal(schema)}));`,
    `create schema if not exists ${quoteIdent(schema)};`,
    `select set_config('search_path', ${literal(quoteIdent(schema))}, true);`,
    'create table if not exists schema_migrations (version int primary key, applied_at timestamptz not null default now());',
    ...steps,
  ].join('\n');
}

export async function migrate(db: SqlPort, schema: string): Promise<void> {
  await db.exec(migrationScript(schema));
}

/** Versions recorded in `schema_migrations`, ascending (the connection's search_path must name the schema). */
export async function appliedMigrations(db: SqlPort): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>('select version from schema_migrations order by version');
  return rows.map((r) => Number(r.version));
}
