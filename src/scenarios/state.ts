/**
 * `state:` checks: after the call, the session and the call row the bot stored for its CallSid, read through an
 * inspect source (the stores directly, or serve's admin API), compared field by field as text. Writes to history
 * may trail the call (group commit), so a mismatch is read again a few times before it counts.
 */
import type { CallDetail } from '../inspect/source.ts';
import type { Check, StateExpect } from './types.ts';

export type StateReader = {
  read: (callSid: string) => Promise<CallDetail | undefined>;
  /** Wait for pending history writes (the bundled server under --start-server). */
  settle?: () => Promise<void>;
  /** Attempts before a mismatch counts (default 20, 100 ms apart). */
  attempts?: number;
};

const asText = (value: unknown) =>
  value === null || value === undefined ? '(none)' : typeof value === 'object' ? JSON.stringify(value) : String(value);

function compare(expect: StateExpect, detail: CallDetail | undefined): Check[] {
  const checks: Check[] = [];
  for (const part of ['session', 'call'] as const) {
    const want = expect[part];
    if (want === undefined) continue;
    const row = (detail?.[part] ?? null) as Record<string, unknown> | null;
    for (const [field, expected] of Object.entries(want)) {
      const actual = row === null ? `no ${part === 'call' ? 'call row' : 'session'}` : asText(row[field]);
      checks.push({ what: `${part}.${field}`, ok: row !== null && actual === expected, expected, actual });
    }
  }
  return checks;
}

export async function checkState(expect: StateExpect, callSid: string, reader: StateReader): Promise<Check[]> {
  await reader.settle?.();
  const attempts = reader.attempts ?? 20;
  let checks: Check[] = [];
  for (let i = 0; i < attempts; i++) {
    checks = compare(expect, await reader.read(callSid));
    if (checks.every((c) => c.ok) || i === attempts - 1) break;
    // The server commits history in groups, in its own process: another process can only look again.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return checks;
}
