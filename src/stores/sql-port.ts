/**
 * The tiny query port the one SQL history implementation runs on (unstorage-style: one implementation, many
 * drivers). `pg-history.ts` adapts a pg.Pool, `pglite-history.ts` an embedded PGlite.
 *
 * - `query` runs ONE statement with `$n` parameters. Pass parameters as strings, numbers, booleans or null and
 *   cast them in SQL (`$1::text::jsonb`) so both drivers serialise them the same way.
 * - `exec` runs a script of several statements without parameters, in one round trip; unless the script says
 *   otherwise PostgreSQL runs it as one implicit transaction, which is what migrations rely on.
 */
export type SqlPort = {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
};

/** PostgreSQL identifier quoting, for the few names (schemas) that cannot be parameters. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
