/**
 * One step's response → an ExoML tree to play, or the outcome that ends the call: a transport failure, a
 * redirect (never followed: a Passthru branch signal, docs/exotel-protocol.md §1.4), a non-2xx, a body that is not
 * ExoML. Every document goes through the validator; its findings stay with the step.
 */
import { ignoredBody } from '../appflow/applet-steps.ts';
import { STATUS_CODES } from 'node:http';
import { appendFindings } from '../exoml/finding.ts';
import { checkResponseMeta } from '../exoml/http-response.ts';
import type { ExomlNode } from '../exoml/parse.ts';
import { validateExoml } from '../exoml/validate.ts';
import { sendRequest, type HttpOptions } from './http.ts';
import type { CallEnding, Finding, Step } from './types.ts';

type Validator = (body: Uint8Array) => { findings: Finding[]; root: ExomlNode | undefined };

export type ResponseOptions = HttpOptions & {
  /** Above this the step gets a latency warning (Exotel's caller hears silence meanwhile; §1.5). */
  slowMs?: number;
  validate?: Validator;
};

export const SLOW_MS = 2000;

/** The step's ExoML tree to play, or the ending of the call. */
export type FetchedDocument = { ok: true; root: ExomlNode } | { ok: false; outcome: CallEnding };

const defaultValidator: Validator = (body) => validateExoml(body);

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/**
 * A 404 on a URL without a path (`http://127.0.0.1:8000`, `…/`) is almost always a missing webhook path: serve's
 * Passthru webhook is /passthru-handler, and nothing answers at the root.
 */
function missingPathHint(status: number, url: string): string {
  if (status !== 404 || !URL.canParse(url)) return '';
  const target = new URL(url);
  if (target.pathname !== '/' && target.pathname !== '') return '';
  return `. The URL has no path: for exo-passthru serve, add /passthru-handler (${target.origin}/passthru-handler)`;
}

function statusFailure(status: number, location: string | undefined, body: string, url: string): CallEnding {
  const phrase = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status >= 300 && status < 400) {
    const where = location ? ` to ${location}` : '';
    return {
      kind: 'error',
      reason: `${phrase}${where}: not followed. Exotel follows no redirects; for a Passthru applet a non-200 is the "anything else" branch signal, for ExoML the call fails`,
    };
  }
  const said = body.trim() === '' ? '' : ` (body: "${snippet(body)}")`;
  return {
    kind: 'error',
    reason: `${phrase}${said}: the webhook failed; Exotel takes the failure path and the caller hears nothing more${missingPathHint(status, url)}`,
  };
}

function slowFinding(ms: number, slowMs: number): Finding {
  return {
    code: 'SIM001',
    severity: 'warning',
    message: `answered in ${ms} ms, over ${slowMs} ms: the caller hears silence while your server works`,
    hint: 'answer at once and do slow work in the background (docs/exotel-protocol.md §1.4–1.5)',
    line: 1,
    column: 1,
    path: 'http.latency',
  };
}

function notExoml(findings: readonly Finding[], contentType: string, body: string): CallEnding {
  const first = findings.find((f) => f.severity === 'error');
  const what = body.trim() === '' ? 'an empty body' : `"${snippet(body)}"`;
  const why = first ? `: ${first.message}` : '';
  // A short plain body such as "OK" is what an App Bazaar Passthru answers: there only the status counts (§1.4).
  const passthru = /^[^<{]{1,40}$/.test(body.trim())
    ? '; a Passthru applet only reads the status, simulate plays ExoML webhooks'
    : '';
  return {
    kind: 'error',
    reason: `the response is not ExoML${why} (Content-Type ${contentType || 'none'}; got ${what})${passthru}`,
  };
}

/**
 * A URL whose last path segment is `passthru` (`/exotel/passthru`, `/passthru`) is, by the name everyone gives it,
 * the URL of a Passthru applet, whose body Exotel ignores (docs/exotel-protocol.md §1.4). The ExoML handler's own
 * `/passthru-handler` is not: it is the project's ExoML webhook, and its XML is played.
 */
function isPassthruPath(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const segments = new URL(url).pathname.split('/').filter((segment) => segment !== '');
  return segments.at(-1)?.toLowerCase() === 'passthru';
}

export async function fetchDocument(step: Step, options: ResponseOptions): Promise<FetchedDocument> {
  const result = await sendRequest(step.request, options);
  if (!result.ok) {
    step.error = result.reason;
    return {
      ok: false,
      outcome: {
        kind: 'error',
        reason: result.reason,
        ...(result.unreachable ? { unreachable: true } : {}),
        ...(result.silent ? { silent: true } : {}),
      },
    };
  }
  const body = new TextDecoder().decode(result.body);
  step.response = {
    status: result.status,
    contentType: result.contentType,
    ...(result.location ? { location: result.location } : {}),
    body,
    ms: result.ms,
  };
  const slowMs = options.slowMs ?? SLOW_MS;
  if (result.ms > slowMs) step.findings.push(slowFinding(result.ms, slowMs));
  step.findings.push(...checkResponseMeta('exoml', { status: result.status, contentType: result.contentType }));
  if (result.status < 200 || result.status > 299)
    return { ok: false, outcome: statusFailure(result.status, result.location, body, step.request.url) };
  const clock = options.clock ?? (() => performance.now());
  const validating = clock();
  const validation = (options.validate ?? defaultValidator)(result.body);
  const validateMs = Math.round(clock() - validating);
  appendFindings(step.findings, validation.findings);
  // --timeout is the budget of the whole step: a document that arrives in time but takes the rest of it (and
  // more) to parse is not an answer in time either.
  if (result.ms + validateMs > options.timeoutMs) {
    const took = `the response took ${result.ms} ms and validating it ${validateMs} ms`;
    step.error = `no complete answer within ${options.timeoutMs} ms (--timeout): ${took}`;
    return { ok: false, outcome: { kind: 'error', reason: step.error } };
  }
  const root = validation.root;
  if (root === undefined) return { ok: false, outcome: notExoml(validation.findings, result.contentType, body) };
  if (root.name !== 'Response')
    return {
      ok: false,
      outcome: { kind: 'error', reason: `the root element is <${root.name}>, not <Response>: nothing to play` },
    };
  if (isPassthruPath(step.request.url)) step.findings.push(ignoredBody(body, 'info'));
  return { ok: true, root };
}
