/**
 * The shapes of serve's admin API answers (src/server/routes/admin.ts), checked before anything reads them: a
 * server that is not exo-passthru (or not this version) would otherwise surface as a TypeError deep in the
 * formatting ("Cannot convert undefined or null to object"). Checks every field inspect reads, with its type;
 * fields it does not read pass. Pure.
 */
import type { CallDetail, SourceDescription } from './source.ts';
import type { CallRow, SessionEntry } from '../stores/ports.ts';

/** What is wrong, as a path into the answer: `calls[3].exotel_params is not an object`. */
export class ShapeError extends Error {
  constructor(path: string, expected: string) {
    super(`${path === '' ? 'the answer' : path} is not ${expected}`);
    this.name = 'ShapeError';
  }
}

type Check = (value: unknown, path: string) => void;

const at = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const string: Check = (value, path) => {
  if (typeof value !== 'string') throw new ShapeError(path, 'a string');
};
const number: Check = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeError(path, 'a number');
};
const object: Check = (value, path) => {
  if (!isObject(value)) throw new ShapeError(path, 'an object');
};
const nullable =
  (check: Check): Check =>
  (value, path) => {
    if (value !== null) check(value, path);
  };
/** Absent (JSON has no undefined), or of the type. */
const optional =
  (check: Check): Check =>
  (value, path) => {
    if (value !== undefined) check(value, path);
  };
const oneOf =
  (...values: readonly unknown[]): Check =>
  (value, path) => {
    if (!values.includes(value))
      throw new ShapeError(path, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  };
const arrayOf =
  (check: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) throw new ShapeError(path, 'an array');
    for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`);
  };
const fields =
  (spec: Readonly<Record<string, Check>>): Check =>
  (value, path) => {
    object(value, path);
    const record = value as Record<string, unknown>;
    for (const [key, check] of Object.entries(spec))
      check(Object.hasOwn(record, key) ? record[key] : undefined, at(path, key));
  };
const stringMap: Check = (value, path) => {
  object(value, path);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) string(item, at(path, key));
};

const text = nullable(string);
const maybe = optional(string);

const session = fields({
  callSid: string,
  language: string,
  state: string,
  attempts: number,
  createdAt: string,
  updatedAt: string,
  digits: maybe,
  digitSource: maybe,
  outcome: maybe,
  from: maybe,
  to: maybe,
  customer: optional(fields({ customer_id: string, phone: maybe })),
});

const callRow = fields({
  call_sid: string,
  customer_id: text,
  status: string,
  direction: text,
  started_at: string,
  ended_at: text,
  language: text,
  digits: text,
  outcome: text,
  agent_number: text,
  exotel_params: stringMap,
  updated_at: string,
});

const customerRow = fields({
  customer_id: string,
  ...Object.fromEntries(
    ['name', 'phone', 'loan_id', 'amount', 'due_date', 'state', 'language_code'].map((key) => [key, text]),
  ),
  updated_at: string,
});

const event = fields({ id: number, call_sid: string, at: string, kind: string, detail: object });
const ttl = optional(nullable(number));

const SHAPES = {
  stores: fields({ sessions: oneOf('redis', 'memory', null), history: oneOf('postgres', 'pglite', null) }),
  sessions: fields({ sessions: arrayOf(fields({ session, ttlSeconds: ttl })) }),
  calls: fields({ calls: arrayOf(callRow) }),
  call: fields({
    session: nullable(session),
    ttlSeconds: nullable(number),
    call: nullable(callRow),
    customer: nullable(customerRow),
    events: arrayOf(event),
  }),
};

type Answers = {
  stores: Pick<SourceDescription, 'sessions' | 'history'>;
  sessions: { sessions: Array<{ session: SessionEntry['session']; ttlSeconds?: number | null }> };
  calls: { calls: CallRow[] };
  call: Omit<CallDetail, 'callSid'>;
};

/** `value` as the answer `kind`, or a ShapeError naming the first field that is wrong. */
export function checkAnswer<K extends keyof Answers>(kind: K, value: unknown): Answers[K] {
  SHAPES[kind](value, '');
  return value as Answers[K];
}
