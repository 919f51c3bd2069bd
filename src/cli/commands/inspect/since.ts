/**
 * `inspect calls --since`: a look-back (`90s`, `30m`, `1h`, `2d`, `1w`, or combined `1h30m`) or a calendar
 * point (`2025-08-11`, `2025-08-11T10:30`, `2025-08-11 10:30:00Z`, `2025-08-11T10:30:00+05:30`).
 * A bare date means local midnight, like `git log --since`; a time without an offset is local time too.
 */
import { UsageError } from '../../../errors.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(?:\d{1,6}[smhdw])+$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function usage(raw: string): UsageError {
  return new UsageError(`--since "${raw}": expected a look-back such as 30m, 1h, 2d (units s m h d w) or a date such as 2025-08-11 or 2025-08-11T10:30:00Z`);
}

function durationMs(text: string): number {
  let total = 0;
  for (const match of text.matchAll(/(\d+)([smhdw])/g)) total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  return total;
}

/** Date.parse and the Date constructor roll 2025-02-30 over into March; a typo must not silently move the window. */
function validCalendar(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

export function parseSince(raw: string, now: Date): Date {
  const text = raw.trim();
  if (DURATION.test(text)) {
    const date = new Date(now.getTime() - durationMs(text));
    if (Number.isNaN(date.getTime())) throw usage(raw);
    return date;
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (!validCalendar(year, month, day)) throw usage(raw);
    return new Date(year, month - 1, day);
  }
  const dateTime = DATE_TIME.exec(text);
  if (dateTime) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(dateTime[i] ?? 0)) as [number, number, number, number, number, number];
    if (!validCalendar(year, month, day, hour, minute, second)) throw usage(raw);
    // ECMAScript parses `YYYY-MM-DDTHH:mm[:ss[.sss]]` without an offset as local time, with `Z` / `±HH:mm` as given.
    const iso = `${text.slice(0, 10)}T${text.slice(11).replace(/z$/i, 'Z').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')}`;
    const parsed = new Date(iso);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw usage(raw);
}
