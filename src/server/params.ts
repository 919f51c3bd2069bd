/**
 * Exotel sends Passthru as GET query parameters and ExoML actions as POST forms; TwiML-style clients send
 * either. We read both into one flat string map (body wins over query for the same name), keeping only the first
 * value of a repeated name and dropping anything that is not a string.
 */
export type Params = Readonly<Record<string, string>>;

function flatten(source: unknown, into: Record<string, string>): void {
  if (source === null || typeof source !== 'object') return;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') into[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') into[key] = value[0];
    else if (typeof value === 'number' || typeof value === 'boolean') into[key] = String(value);
  }
}

export function mergeParams(query: unknown, body: unknown): Params {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  flatten(query, out);
  flatten(body, out);
  return out;
}

/** The params we keep as the call's raw Exotel record: everything except secrets. */
export function storableParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'key' || key === 'sig' || key === 'tok') continue;
    out[key] = value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
  }
  return out;
}
