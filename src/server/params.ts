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

/** Parameters that carry a phone number (Exotel's and ours). */
const PHONE_KEY = /^(?:From|To|CallFrom|CallTo|DialWhomNumber|OutgoingPhoneNumber|phone|Legs\[\d+\]\[Number\])$/;
const SPACE_FOR_PLUS = /^ [0-9]{6,15}$/;

export function mergeParams(query: unknown, body: unknown): Params {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  flatten(query, out);
  flatten(body, out);
  // `From=+918888000000` sent unencoded (Exotel's own AgentStream example) decodes to " 918888000000": in
  // form encoding a `+` is a space. A phone number never starts with a space, so that space was a `+`.
  for (const [key, value] of Object.entries(out)) out[key] = plusRestored(key, value);
  return out;
}

function plusRestored(key: string, value: string): string {
  return SPACE_FOR_PLUS.test(value) && PHONE_KEY.test(key) ? `+${value.slice(1)}` : value;
}

function scalar(value: unknown): string | undefined {
  const scalarType = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return scalarType ? String(value) : undefined;
}

function entriesOf(source: unknown, into: Array<readonly [string, string]>): void {
  if (source === null || typeof source !== 'object') return;
  for (const [key, value] of Object.entries(source)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    // Values flatten() drops still count as an occurrence (as ''), so a repeat can never hide behind one.
    for (const item of values) into.push([key, plusRestored(key, scalar(item) ?? '')]);
  }
}

/**
 * Every name=value pair of the query and the body, repeats included, each value as mergeParams reads it: what a
 * signature check needs to see, since mergeParams keeps one value per name and a check on that alone cannot tell
 * a repeated name from a single one.
 */
export function paramEntries(query: unknown, body: unknown): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  entriesOf(query, out);
  entriesOf(body, out);
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
