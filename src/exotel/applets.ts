/**
 * The App Bazaar side of the bundled bot (docs/exotel-protocol.md §1.4, §2.3, §3, §6.2): the Passthru branch rule,
 * the Gather and Connect JSON answers and the reading of a StatusCallback. Pure; `validate --kind gather-json |
 * connect-json` checks the same shapes these build.
 */
import type { Outcome } from '../domain/call.ts';
import { normalizePhoneIN } from './phone.ts';

/**
 * The Passthru rule `serve` documents: Exotel reads only the status (§1.4). Digit 1 → 200 (wire the "OK" branch
 * to the Connect applet); any other key → 302 (declined), nothing pressed or no `digits` → 302 (no input).
 */
export type PassthruBranch = { status: 200 | 302; body: 'connect' | 'hangup'; outcome: Outcome };

export function passthruBranch(digits: string | undefined): PassthruBranch {
  if (digits === '1') return { status: 200, body: 'connect', outcome: 'agent_transfer' };
  return { status: 302, body: 'hangup', outcome: digits === undefined || digits === '' ? 'no_input' : 'declined' };
}

const GATHER_SETTINGS = { maxInputDigits: 1, finishOnKey: '#', inputTimeout: 10, repeatMenu: 1 } as const;

export type GatherJson = {
  gather_prompt: { text: string };
  max_input_digits: number;
  finish_on_key: string;
  input_timeout: number;
  repeat_menu: number;
  repeat_gather_prompt: { text: string };
};

/** The Gather applet's dynamic-URL answer (§2.3): one key, `#` ends, 10 s, the menu replayed once. */
export function gatherJson(prompt: string, repeat: string): GatherJson {
  return {
    gather_prompt: { text: prompt },
    max_input_digits: GATHER_SETTINGS.maxInputDigits,
    finish_on_key: GATHER_SETTINGS.finishOnKey,
    input_timeout: GATHER_SETTINGS.inputTimeout,
    repeat_menu: GATHER_SETTINGS.repeatMenu,
    repeat_gather_prompt: { text: repeat },
  };
}

export type ConnectJson = {
  fetch_after_attempt: boolean;
  destination: { numbers: string[] };
  outgoing_phone_number?: string;
  record: boolean;
  recording_channels: 'single' | 'dual';
  max_ringing_duration: number;
  max_conversation_duration: number;
  music_on_hold: { type: 'operator_tone' };
};

/**
 * The Connect applet's answer (§3): dial the agent from the ExoPhone, recorded. The ExoPhone goes out in E.164
 * (one implementer reports anything else refused); a number that cannot be read so is left out.
 */
export function connectJson(agentNumber: string, exophone: string): ConnectJson {
  const outgoing = normalizePhoneIN(exophone);
  return {
    fetch_after_attempt: false,
    destination: { numbers: [normalizePhoneIN(agentNumber) ?? agentNumber] },
    ...(outgoing ? { outgoing_phone_number: outgoing } : {}),
    record: true,
    recording_channels: 'dual',
    max_ringing_duration: 30,
    max_conversation_duration: 3600,
    music_on_hold: { type: 'operator_tone' },
  };
}

const TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'busy', 'no-answer', 'canceled'];

export type StatusCallbackReport = {
  callSid: string;
  status: string;
  terminal: boolean;
  recordingUrl?: string;
  /** Seconds: `ConversationDuration`, else `Duration`. */
  duration?: number;
  /** ISO time from `EndTime` (`YYYY-MM-DD HH:mm:ss`, read as IST). */
  endedAt?: string;
  legs: Array<Record<string, string>>;
  eventType?: string;
  customField?: string;
};

const LEG_KEY = /^Legs\[(\d+)\]\[([A-Za-z]+)\]$/;
const MAX_LEGS = 16;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function seconds(value: unknown): number | undefined {
  const raw = text(value);
  return raw !== undefined && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : undefined;
}

/** Exotel's `YYYY-MM-DD HH:mm:ss` is Indian time [INF, §6.2]; an ISO time with an offset is taken as it is. */
function exotelTime(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(raw);
  const date = new Date(local ? `${local[1]}T${local[2]}+05:30` : raw);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 2000 ? undefined : date.toISOString();
}

function readLegs(body: Readonly<Record<string, unknown>>): Array<Record<string, string>> {
  const legs: Array<Record<string, string>> = [];
  if (Array.isArray(body.Legs)) {
    for (const leg of body.Legs.slice(0, MAX_LEGS)) {
      const out: Record<string, string> = {};
      if (typeof leg === 'object' && leg !== null) {
        for (const [key, value] of Object.entries(leg)) {
          const v = text(value);
          if (v !== undefined) out[key] = v;
        }
      }
      legs.push(out);
    }
    return legs;
  }
  for (const [key, value] of Object.entries(body)) {
    const m = LEG_KEY.exec(key);
    const v = text(value);
    if (!m || v === undefined || Number(m[1]) >= MAX_LEGS) continue;
    const at = Number(m[1]);
    while (legs.length <= at) legs.push({});
    (legs[at] as Record<string, string>)[m[2] as string] = v;
  }
  return legs;
}

/** A StatusCallback body (form fields or JSON, §6.2), or the reason it cannot be one. */
export function readStatusCallback(
  body: Readonly<Record<string, unknown>>,
): { ok: true; report: StatusCallbackReport } | { ok: false; error: string } {
  const callSid = text(body.CallSid);
  const status = text(body.Status)?.toLowerCase();
  if (callSid === undefined) return { ok: false, error: 'CallSid is required' };
  if (status === undefined) return { ok: false, error: 'Status is required' };
  const report: StatusCallbackReport = {
    callSid,
    status,
    terminal: TERMINAL_STATUSES.includes(status),
    legs: readLegs(body),
  };
  const recordingUrl = text(body.RecordingUrl);
  const duration = seconds(body.ConversationDuration) ?? seconds(body.Duration);
  const endedAt = exotelTime(body.EndTime);
  const eventType = text(body.EventType);
  const customField = text(body.CustomField);
  if (recordingUrl !== undefined) report.recordingUrl = recordingUrl;
  if (duration !== undefined) report.duration = duration;
  if (endedAt !== undefined) report.endedAt = endedAt;
  if (eventType !== undefined) report.eventType = eventType;
  if (customField !== undefined) report.customField = customField;
  return { ok: true, report };
}

/** One write id per CallSid + Status: Exotel's retries of the same callback append one event (§6.2). */
export function statusCallbackWriteId(callSid: string, status: string): string {
  return `status-callback:${callSid}:${status}`;
}
