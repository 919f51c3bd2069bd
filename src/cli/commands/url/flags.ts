/** The grammar of url's own flags: `--map field=Header` and `--expires-in 7d`. */
import { fieldByAlias } from '../../../customers/columns.ts';
import { UsageError } from '../../../errors.ts';
import { CUSTOMER_FIELDS, type CustomerField } from '../../../exotel/customer.ts';

/** `--map field=Header` values (field may be any alias: `name=Full Name`) → field → header. */
export function parseColumnMap(values: readonly string[]): Map<CustomerField, string> {
  const out = new Map<CustomerField, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    const rawField = eq < 0 ? value : value.slice(0, eq);
    const header = eq < 0 ? '' : value.slice(eq + 1).trim();
    if (header === '') throw new UsageError(`--map ${value}: expected field=Header`, { hint: 'e.g. --map phone="Contact No"' });
    const field = fieldByAlias(rawField);
    if (field === undefined) {
      throw new UsageError(`--map ${value}: unknown field "${rawField}"`, { hint: `fields: ${CUSTOMER_FIELDS.join(', ')}` });
    }
    if (out.has(field)) throw new UsageError(`--map: ${field} is mapped twice`);
    out.set(field, header);
  }
  return out;
}

/** `--expires-in`: `7d`, `12h`, `30m`, `90s` → milliseconds (1 minute to 366 days). */
export function parseDuration(text: string): number {
  const match = /^([0-9]{1,6})\s*([smhd])$/i.exec(text.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = match ? Number(match[1]) * unit[(match[2] ?? 's').toLowerCase() as keyof typeof unit] : Number.NaN;
  if (!(ms >= 60_000 && ms <= 366 * 86_400_000)) {
    throw new UsageError(`--expires-in ${JSON.stringify(text)}: expected a duration from 1m to 366d such as 7d, 12h or 30m`);
  }
  return ms;
}
