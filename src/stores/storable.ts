/**
 * Make a value storable before it reaches SQL. PostgreSQL refuses, for good, a text or jsonb value holding U+0000
 * (SQLSTATE 22021 / 22P05) and a JSON string holding a lone UTF-16 surrogate (`\ud800`). A webhook parameter can
 * carry either (`customer_name=a%00b`), and such a write would fail on every retry, so it is cleaned here,
 * once, for every write: NUL is removed and a lone surrogate becomes U+FFFD. Keys are cleaned the same way.
 * Sessions are cleaned the same way too (session-codec.ts), so a session and its call row never disagree.
 */
const NUL = /\u0000/g;

function storableText(text: string): string {
  const cleaned = text.includes('\u0000') ? text.replace(NUL, '') : text;
  return cleaned.isWellFormed() ? cleaned : cleaned.toWellFormed();
}

/** Plain JSON-like data with every string (and key) storable. Copy on write: clean data comes back as it is. */
export function storable<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const cleaned = clean(item);
      if (cleaned === item) return;
      out ??= [...value];
      out[i] = cleaned;
    });
    return out ?? value;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    let out: Record<string, unknown> | undefined;
    for (const [key, inner] of Object.entries(value)) {
      const cleanKey = storableText(key);
      const cleaned = clean(inner);
      if (cleanKey !== key || cleaned !== inner) {
        out ??= { ...value };
        if (cleanKey !== key) delete out[key];
        out[cleanKey] = cleaned;
      }
    }
    return out ?? value;
  }
  return value;
}
