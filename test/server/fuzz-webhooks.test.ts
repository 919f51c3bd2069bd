/**
 * Fuzz: hostile requests (fuzz-requests.ts) against one real server (memory sessions + in-memory PGlite, with a
 * WEBHOOK_KEY), over a keep-alive undici Pool, 32 connections. Every answer must be below 500; every answer from
 * the app is ExoML with a single <Response> whose elements are only those the flow emits (so nothing injected
 * became an element, and every <Number> is the agent's), except a 401, which is `unauthorized: …` text, and HEAD,
 * which has no body. Requests that Node's HTTP parser refuses itself (raw non-ASCII in the URL, an unknown
 * method, a request line over 16 KB) never reach the app: Node answers those 400/431 with no Content-Type, and
 * they are counted separately. At the end /health must still answer 200.
 *
 * Each fast-check run is a batch of BATCH requests per route sent at once. Replay: fast-check prints `seed` and
 * `path` on failure (and shrinks the batch); pass them to fc.assert as `{ seed, path, endOnFailure: true }`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Pool } from 'undici';
import { type ExomlNode, parseExoml } from '../../src/exoml/parse.ts';
import { AGENT, startTestServer, type TestServer } from '../support/server.ts';
import { type HostileRequest, hostileRequest, WEBHOOK_KEY } from './fuzz-requests.ts';

const SEED = 20_260_301;
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
/** Requests per route in one run: RUNS × BATCH = 10,000 per route, 20,000 in all. */
const BATCH = 20;
const CONNECTIONS = 32;
/** What call-flow.ts emits: greeting (Say, Gather > Say, Redirect), menu (Dial > Number, Hangup), errors. */
const FLOW_ELEMENTS = new Set(['Response', 'Say', 'Gather', 'Dial', 'Number', 'Redirect', 'Hangup']);
const FATAL = new Set(['too-large', 'binary', 'invalid-utf8', 'doctype', 'malformed', 'too-deep', 'empty']);

type Reply = { status: number; contentType: string | undefined; body: string };

function descendants(root: ExomlNode): ExomlNode[] {
  return [root, ...root.children.flatMap(descendants)];
}

function exomlProblem(body: string): string | undefined {
  const parsed = parseExoml(body);
  const fatal = parsed.issues.find((issue) => FATAL.has(issue.problem));
  if (fatal || !parsed.root) return `not ExoML: ${fatal?.message ?? 'no root'}`;
  const elements = descendants(parsed.root);
  if (parsed.root.name !== 'Response' || elements.filter((e) => e.name === 'Response').length !== 1)
    return 'not a single <Response>';
  const foreign = elements.find((e) => !FLOW_ELEMENTS.has(e.name));
  if (foreign) return `element <${foreign.name}> the flow never emits`;
  const number = elements.find((e) => e.name === 'Number' && e.text.trim() !== AGENT);
  if (number) return `<Number>${number.text}</Number> is not the agent`;
  return undefined;
}

const checked = new Map<string, string | undefined>();

/** Why this reply breaks the contract, or undefined. */
function problem(req: HostileRequest, reply: Reply): string | undefined {
  if (reply.status >= 500 || reply.status === 0) return `${reply.status}`;
  if (reply.contentType === undefined)
    return reply.body === '' && [400, 431].includes(reply.status) ? undefined : 'no Content-Type';
  if (req.method === 'HEAD') return reply.body === '' ? undefined : 'HEAD with a body';
  if (reply.status === 401)
    return /^text\/plain/.test(reply.contentType) && reply.body.startsWith('unauthorized:')
      ? undefined
      : '401 not from webhookAuth';
  if (reply.status === 200 && req.method !== 'GET' && req.method !== 'POST') return `200 to ${req.method}`;
  if (!/^text\/xml/.test(reply.contentType)) return `Content-Type ${reply.contentType}`;
  // Most error answers are the same document: check each distinct body once.
  if (!checked.has(reply.body)) checked.set(reply.body, exomlProblem(reply.body));
  return checked.get(reply.body);
}

describe('webhooks under hostile requests (fuzz)', () => {
  let server: TestServer;
  let pool: Pool;
  before(async () => {
    server = await startTestServer({ webhookKey: WEBHOOK_KEY });
    // A request the server never answers fails as a timeout instead of hanging the suite.
    pool = new Pool(server.url, {
      connections: CONNECTIONS,
      pipelining: 1,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
  });
  after(async () => {
    await pool.close();
    await server.close();
  });

  /** A connection reset or a timeout is a reply with status 0: the server failed to answer. */
  const send = async (req: HostileRequest): Promise<Reply> => {
    try {
      const res = await pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body });
      const body = await res.body.text();
      const type = res.headers['content-type'];
      return { status: res.statusCode, contentType: Array.isArray(type) ? type[0] : type, body };
    } catch (error) {
      return { status: 0, contentType: undefined, body: `no answer: ${String(error)}` };
    }
  };

  it(`${RUNS * BATCH} requests per route, ${CONNECTIONS} at a time; seed ${SEED}`, async (t) => {
    const counts = new Map<string, number>();
    const started = performance.now();
    const batch = fc.tuple(
      fc.array(hostileRequest('passthru'), { minLength: BATCH, maxLength: BATCH }),
      fc.array(hostileRequest('gather'), { minLength: BATCH, maxLength: BATCH }),
    );
    await fc.assert(
      fc.asyncProperty(batch, async ([passthru, gather]) => {
        const requests = [...passthru, ...gather];
        const replies = await Promise.all(requests.map(send));
        for (const [i, reply] of replies.entries()) {
          const req = requests[i] as HostileRequest;
          const key = `${req.route} ${reply.contentType === undefined ? 'node' : 'app'} ${reply.status}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          const broken = problem(req, reply);
          assert.equal(
            broken,
            undefined,
            `${req.method} ${req.path} ${JSON.stringify(req.headers)} ${JSON.stringify(req.body?.slice(0, 300))}\n→ ${reply.status}: ${reply.body.slice(0, 500)}`,
          );
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const seconds = (performance.now() - started) / 1000;
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200, await health.text());
    const serverErrors = server.logs.filter((line) => line.startsWith('error:'));
    t.diagnostic(
      `${2 * RUNS * BATCH} requests in ${seconds.toFixed(1)} s (${((2 * RUNS * BATCH) / seconds).toFixed(0)}/s)`,
    );
    t.diagnostic(`replies: ${JSON.stringify(Object.fromEntries([...counts].sort()))}`);
    t.diagnostic(
      `server error log lines: ${serverErrors.length}${serverErrors.length ? `, first: ${serverErrors[0]}` : ''}`,
    );
  });
});
