/**
 * fast-check arbitraries for hostile webhook requests (used by fuzz-webhooks.test.ts): odd methods and path
 * spellings, huge and repeated parameters, invalid UTF-8 percent-escapes, NUL and control characters, XML/HTML
 * injection, every body type express might or might not parse, broken encodings, and odd Host headers. Only
 * what undici will send: no CR/LF/NUL in header values, request paths in 0x21-0xFF.
 */
import fc from 'fast-check';
import { gatherToken } from '../../src/server/auth.ts';

export type Route = 'passthru' | 'gather';
export type HostileRequest = {
  route: Route;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
};

export const WEBHOOK_KEY = 'fuzz-webhook-key';
const PATHS: Record<Route, readonly string[]> = {
  passthru: ['/passthru-handler', '/PASSTHRU-HANDLER', '/Passthru-Handler/', '/passthru-handler/'],
  gather: ['/gather-response', '/GATHER-RESPONSE', '/Gather-Response/', '/gather-response/'],
};

const INJECTIONS = [
  '</Say><Dial><Number>+919999999999</Number></Dial><Say>',
  '"/><Hangup/><Say x="',
  "'><Redirect>http://evil.example/</Redirect>",
  ']]>',
  '<![CDATA[<Dial>+911</Dial>]]>',
  '<!--',
  '-->',
  '&lol;',
  '&amp;&lt;&#0;&#x1F;&#xD800;',
  '<?xml version="1.0"?><Response><Dial>1</Dial></Response>',
  '<!DOCTYPE r [<!ENTITY lol "lol">]>',
  '<script>alert(1)</script>',
  '\u0000',
  '\uFFFE\uFFFF',
  '\u001B[31m\u0007\b',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point
  '${jndi:ldap://x}',
  '{"__proto__":{"polluted":1}}',
  'customer_id=X|amount=1',
  '"1"',
  '1#',
  'राहुल "राजू" शर्मा',
];
const NAMES = [
  ...'CallSid call_sid CallFrom From CallTo To CallStatus Direction CustomField'.split(' '),
  ...'customer_id customer_name phone loan_id amount due_date language_code state temp_call_id'.split(' '),
  ...'digits Digits DigitsPressed lang attempt'.split(' '),
  ...['__proto__', 'constructor', 'hasOwnProperty', 'Legs[0][Cause]', 'a[b][c]', ''],
];
/** Rarer, since most of them send the request down the signed-URL check and a 401. */
const AUTH_NAMES = ['key', 'tok', 'sig', 'exp'];
const name = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...AUTH_NAMES) },
);
/** Percent-escapes that are not UTF-8: lone bytes, overlongs, surrogates, beyond U+10FFFF, cut short. */
const BAD_ESCAPES = ['%', '%Z', '%ZZ', '%FF', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%E0%A4', '%00', '%FE%FF'];
// '[::1' (no closing bracket) trips an assertion inside undici's client; host.test.ts sends it with node:http.
const HOSTS = [
  'a b',
  '',
  'x:99999',
  'x:',
  'a@evil.example',
  'evil.example/p',
  '[::1]:80',
  '[zz]',
  'bot.example.com',
  'é',
  '..',
];

const callSid = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 2, arbitrary: callSid },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1',
      '2',
      '9',
      '"1"',
      '"2"',
      '12#',
      '*',
      '',
      ' ',
      'x',
      '-1',
      '1e9',
      '₹15,000/-',
      '2026-02-31',
      'hi-IN',
      'UP',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', '<', '&', 'अ', '%'), fc.integer({ min: 200, max: 1500 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** encodeURIComponent, or only what would break the query (so `<`, `"`, `'` go raw), or a broken escape after it. */
const encoding = fc.oneof(
  { weight: 5, arbitrary: fc.constant('component') },
  { weight: 2, arbitrary: fc.constant('raw') },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
);
function encode(text: string, how: string): string {
  if (how === 'raw') return text.replace(/[^\x21-\x7e]|[#%&+=]/gu, (c) => encodeURIComponent(c));
  return how === 'component' ? encodeURIComponent(text) : `${encodeURIComponent(text)}${how}`;
}
const pair = fc
  .tuple(name, value, encoding, encoding)
  .map(([n, v, hn, hv]): [string, string] => [encode(n, hn), encode(v, hv)]);
const repeated = fc
  .tuple(
    fc.constantFrom('CallSid', 'digits', 'customer_id', 'amount', 'x'),
    fc.constantFrom('a', '1', '%FF'),
    fc.integer({ min: 50, max: 400 }),
  )
  .map(([name, v, n]): Array<[string, string]> => Array.from({ length: n }, () => [name, v]));

/** The query string: hostile pairs around a usable CallSid (so most requests reach the flow) and the key or a token. */
const query = (route: Route) =>
  fc
    .tuple(
      fc.option(callSid, { freq: 4 }),
      fc.constantFrom('key', 'key', 'key', 'key', 'key', 'key', 'key', 'tok', 'tok', 'wrong', 'none'),
      fc.oneof({ weight: 6, arbitrary: fc.array(pair, { maxLength: 10 }) }, { weight: 1, arbitrary: repeated }),
    )
    .map(([sid, auth, pairs]) => {
      const head: Array<[string, string]> = sid === null ? [] : [['CallSid', sid]];
      if (auth === 'key') head.push(['key', WEBHOOK_KEY]);
      if (auth === 'wrong') head.push(['key', 'nope']);
      if (auth === 'tok' && route === 'gather' && sid !== null) {
        head.push([
          'tok',
          gatherToken(WEBHOOK_KEY, { callSid: sid, customerId: undefined }, new Date(Date.now() + 3600_000)),
        ]);
      }
      return [...head, ...pairs].map(([n, v]) => `${n}=${v}`).join('&');
    });

const JSON_BODIES = [
  '{bad',
  '{"a":',
  '[',
  '"\\ud800"',
  'null',
  '{"CallSid":["a","b"],"amount":{"$gt":1},"digits":null}',
  '{"__proto__":{"x":1}}',
];
const OTHER_TYPES = [
  'text/plain',
  'text/xml',
  'application/octet-stream',
  'application/x-www-form-urlencoded; charset=klingon',
  'application/json; charset=utf-16',
  '*/*',
  'x',
];
const formOf = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([n, v]) => `${n}=${v}`).join('&');
const json = fc
  .tuple(
    fc.dictionary(name, fc.oneof(value, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 8 }),
    fc.constantFrom('', '; charset=utf-8'),
  )
  .map(([object, charset]) => ({ type: `application/json${charset}`, body: JSON.stringify(object) }));
const multipart = value.map((v) => ({
  type: 'multipart/form-data; boundary=XyZ',
  body: `--XyZ\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\n${v}\r\n--XyZ--\r\n`,
}));
type Body = { type: string | undefined; body: string | undefined };
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ type: undefined, body: undefined }) },
  {
    weight: 6,
    arbitrary: fc
      .array(pair, { maxLength: 12 })
      .map((ps) => ({ type: 'application/x-www-form-urlencoded', body: formOf(ps) })),
  },
  { weight: 3, arbitrary: json },
  { weight: 1, arbitrary: fc.constantFrom(...JSON_BODIES).map((text) => ({ type: 'application/json', body: text })) },
  { weight: 1, arbitrary: multipart },
  { weight: 2, arbitrary: fc.tuple(value, fc.constantFrom(...OTHER_TYPES)).map(([v, type]) => ({ type, body: v })) },
  { weight: 1, arbitrary: value.map((v) => ({ type: undefined, body: v })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(65_600, 70_000)
      .map((n) => ({ type: 'application/x-www-form-urlencoded', body: `CallSid=big&pad=${'x'.repeat(n)}` })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 201, max: 400 }).map((n) => ({
      type: 'application/x-www-form-urlencoded',
      body: formOf(Array.from({ length: n }, (_, i) => [`p${i}`, '1'])),
    })),
  },
);

const METHODS = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'FOO', 'get'),
  },
);

/** An optional header, present about one time in eight. */
const sometimes = (arbitrary: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const anyHost = fc
  .string({ unit: 'grapheme-ascii', maxLength: 20 })
  .filter((h) => /^[\x21-\x7e]*$/.test(h) && !(h.startsWith('[') && !h.includes(']')));
const headers = fc
  .record({
    host: sometimes(fc.oneof(fc.constantFrom(...HOSTS), anyHost)),
    'x-forwarded-proto': sometimes(fc.constantFrom('javascript', 'https', 'HTTP', 'data', 'http, https', '')),
    'x-forwarded-host': sometimes(fc.constantFrom('evil.example', 'a b')),
    'content-encoding': sometimes(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-klingon')),
    'exotel-version': sometimes(fc.constantFrom('1.0', '<x>')),
  })
  .map((all) =>
    Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  );

const path = (route: Route) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(PATHS[route][0] ?? '/') },
    { weight: 1, arbitrary: fc.constantFrom(...PATHS[route]) },
  );

export const hostileRequest = (route: Route): fc.Arbitrary<HostileRequest> =>
  fc.tuple(METHODS, path(route), query(route), body, headers).map(([method, p, q, b, extra]) => {
    const withBody = b.body !== undefined && method !== 'HEAD';
    const all: Record<string, string> = { ...extra };
    if (withBody && b.type !== undefined) all['content-type'] = b.type;
    return { route, method, path: `${p}?${q}`, headers: all, ...(withBody ? { body: b.body } : {}) };
  });
