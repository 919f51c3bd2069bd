/**
 * `inspect sessions` / `inspect calls` as rows for a table (cli-table3 lives in cli/) and as the stable JSON of
 * docs/inspect-json.md. Pure: the caller passes `now`, so ages and TTLs are reproducible.
 */
import { formatIst } from '../../../exotel/call.ts';
import type { CallRow, SessionEntry } from '../../../stores/ports.ts';
import { maskCall, maskSession } from '../../../inspect/mask.ts';
import type { SourceDescription } from '../../../inspect/source.ts';

export type FormatOptions = { showPii: boolean; now: Date };

/** Header + body rows, every cell a string; empty values are "-". */
export type TableRows = { head: string[]; rows: string[][] };

export type JsonEnvelope = { at: string; source: SourceDescription; piiMasked: boolean };

type SessionJson = { session: SessionEntry['session']; ttlSeconds: number | null; ageSeconds: number | null };
export type SessionsJson = JsonEnvelope & { sessions: SessionJson[] };
export type CallsJson = JsonEnvelope & { calls: CallRow[] };

const EMPTY = '-';

export function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  return String(value);
}

/** 42s · 3m12s · 1h58m · 2d3h: coarse enough to read at a glance, exact to the unit shown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return EMPTY;
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * `2025-08-11 15:52:03` in IST (+05:30; headers say so): the zone of the Exotel parameters shown beside it
 * (StartTime, Created), the same on every machine, sortable. --json keeps ISO 8601 UTC.
 */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return EMPTY;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return cell(iso);
  return formatIst(date);
}

export function secondsSince(iso: string | undefined, now: Date): number | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.max(0, Math.floor((now.getTime() - ms) / 1000));
}

export function envelope(source: SourceDescription, options: FormatOptions): JsonEnvelope {
  return { at: options.now.toISOString(), source, piiMasked: !options.showPii };
}

export function sessionsJson(
  entries: readonly SessionEntry[],
  source: SourceDescription,
  options: FormatOptions,
): SessionsJson {
  return {
    ...envelope(source, options),
    sessions: entries.map((entry) => ({
      session: maskSession(entry.session, options.showPii),
      ttlSeconds: entry.ttlSeconds ?? null,
      ageSeconds: secondsSince(entry.session.createdAt, options.now),
    })),
  };
}

export function sessionsTable(entries: readonly SessionEntry[], options: FormatOptions): TableRows {
  return {
    head: ['CALL SID', 'CUSTOMER', 'LANG', 'STATE', 'DIGIT', 'OUTCOME', 'AGE', 'TTL'],
    rows: entries.map(({ session, ttlSeconds }) => [
      session.callSid,
      cell(session.customer?.customer_id),
      cell(session.language),
      cell(session.state),
      cell(session.digits),
      cell(session.outcome),
      formatDuration(secondsSince(session.createdAt, options.now)),
      ttlSeconds === undefined ? 'no expiry' : formatDuration(ttlSeconds),
    ]),
  };
}

export function callsJson(rows: readonly CallRow[], source: SourceDescription, options: FormatOptions): CallsJson {
  return { ...envelope(source, options), calls: rows.map((row) => maskCall(row, options.showPii)) };
}

export function callsTable(rows: readonly CallRow[]): TableRows {
  return {
    // FINAL and DURATION come from the StatusCallback (docs/exotel-protocol.md §6.2): "-" until it arrives.
    head: [
      'CALL SID',
      'CUSTOMER',
      'STARTED (IST)',
      'STATUS',
      'LANG',
      'DIGIT',
      'OUTCOME',
      'FINAL',
      'DURATION',
      'ENDED (IST)',
    ],
    rows: rows.map((row) => [
      row.call_sid,
      cell(row.customer_id),
      formatTime(row.started_at),
      cell(row.status),
      cell(row.language),
      cell(row.digits),
      cell(row.outcome),
      cell(row.final_status),
      formatDuration(row.duration),
      formatTime(row.ended_at),
    ]),
  };
}

/** "sessions: redis · history: postgres" (or "via http://127.0.0.1:8000"), the first line of every table view. */
export function describeSource(source: SourceDescription): string {
  const parts = [
    `sessions: ${source.sessions ?? 'not read (no --redis-url)'}`,
    `history: ${source.history ?? 'not read (no --database-url)'}`,
  ];
  return source.mode === 'server' ? `${parts.join(' · ')} · via ${source.server ?? 'serve'}` : parts.join(' · ');
}
