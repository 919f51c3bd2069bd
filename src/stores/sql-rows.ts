/**
 * Row conversion shared by both SQL drivers. pg and PGlite disagree on some types (int8 as string vs number,
 * numeric as string vs number) and both turn timestamptz into Date, so every read goes through these guards and
 * comes out as the plain shapes of ports.ts: ISO strings, numeric and date as text, jsonb as objects.
 */
import { OUTCOMES, type Outcome } from '../domain/call.ts';
import type { CallEventRow, CallRow, CustomerRow } from './ports.ts';

export type RawRow = Record<string, unknown>;

function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a timestamp: ${String(value)}`);
  return date.toISOString();
}

function iso(value: unknown): string {
  return isoOrNull(value) ?? new Date(0).toISOString();
}

function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

function text(value: unknown): string {
  return textOrNull(value) ?? '';
}

function object(value: unknown): Record<string, unknown> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  return { ...parsed };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(object(value))) {
    if (v !== null && v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function outcome(value: unknown): Outcome | null {
  return OUTCOMES.find((o) => o === value) ?? null;
}

export function toCallRow(row: RawRow): CallRow {
  return {
    call_sid: text(row.call_sid),
    customer_id: textOrNull(row.customer_id),
    status: text(row.status),
    direction: textOrNull(row.direction),
    started_at: iso(row.started_at),
    ended_at: isoOrNull(row.ended_at),
    language: textOrNull(row.language),
    digits: textOrNull(row.digits),
    outcome: outcome(row.outcome),
    agent_number: textOrNull(row.agent_number),
    exotel_params: stringMap(row.exotel_params),
    dial_call_status: textOrNull(row.dial_call_status),
    dial_call_duration: row.dial_call_duration === null || row.dial_call_duration === undefined ? null : Number(row.dial_call_duration),
    recording_url: textOrNull(row.recording_url),
    stream: row.stream === null || row.stream === undefined ? null : stringMap(row.stream),
    updated_at: iso(row.updated_at),
  };
}

export function toCustomerRow(row: RawRow): CustomerRow {
  return {
    customer_id: text(row.customer_id),
    name: textOrNull(row.name),
    phone: textOrNull(row.phone),
    loan_id: textOrNull(row.loan_id),
    amount: textOrNull(row.amount),
    due_date: textOrNull(row.due_date),
    state: textOrNull(row.state),
    language_code: textOrNull(row.language_code),
    updated_at: iso(row.updated_at),
  };
}

export function toEventRow(row: RawRow): CallEventRow {
  return {
    id: Number(row.id),
    call_sid: text(row.call_sid),
    at: iso(row.at),
    kind: text(row.kind),
    detail: object(row.detail),
  };
}
