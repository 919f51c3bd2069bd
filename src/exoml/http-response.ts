/**
 * Checks on the HTTP response itself, for any surface Exotel fetches: status (Exotel follows no redirects,
 * docs/exotel-protocol.md §10.2 item 1) and Content-Type (§4: Greeting `text/plain` exactly; §2.3 and §3 JSON;
 * ExoML text/xml or application/xml). Pure.
 */
import { finding, type Finding } from './finding.ts';

export type SurfaceKind = 'exoml' | 'gather-json' | 'connect-json' | 'greeting';
export const SURFACE_KINDS: readonly SurfaceKind[] = ['exoml', 'gather-json', 'connect-json', 'greeting'];

export type ResponseMeta = {
  status?: number;
  contentType?: string;
  /** Greeting URLs must answer HEAD with the headers of GET (§4); pass what HEAD returned to compare. */
  head?: { status?: number; contentType?: string };
};

const EXPECTED: Readonly<Record<SurfaceKind, readonly string[]>> = {
  exoml: ['text/xml', 'application/xml'],
  'gather-json': ['application/json'],
  'connect-json': ['application/json'],
  greeting: ['text/plain'],
};

const AT = { line: 1, column: 1 };

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function checkResponseMeta(kind: SurfaceKind, meta: ResponseMeta): Finding[] {
  const out: Finding[] = [];
  const { status } = meta;
  if (status !== undefined) {
    if (status >= 300 && status < 400) out.push(finding('EXO702', `HTTP ${status}: a redirect`, AT, 'http.status'));
    else if (status < 200 || status > 299) out.push(finding('EXO701', `HTTP ${status}`, AT, 'http.status'));
  }
  if (status === undefined || (status >= 200 && status < 300)) {
    const expected = EXPECTED[kind];
    const type = mediaType(meta.contentType);
    const shown =
      meta.contentType === undefined || meta.contentType === ''
        ? 'no Content-Type'
        : `Content-Type "${meta.contentType}"`;
    if (!expected.includes(type)) {
      out.push(finding('EXO703', `${shown}; expected ${expected.join(' or ')}`, AT, 'http.content-type'));
    } else if (kind === 'greeting' && meta.contentType?.trim() !== 'text/plain') {
      out.push(
        finding(
          'EXO703',
          `${shown}; a Greeting URL must send exactly "text/plain" and nothing else`,
          AT,
          'http.content-type',
        ),
      );
    }
  }
  if (
    meta.head !== undefined &&
    (meta.head.status !== meta.status || (meta.head.contentType ?? '') !== (meta.contentType ?? ''))
  ) {
    const show = (m: { status?: number; contentType?: string }) =>
      `${m.status ?? '?'} ${m.contentType ?? '(no Content-Type)'}`;
    out.push(finding('EXO704', `HEAD answered ${show(meta.head)}, GET answered ${show(meta)}`, AT, 'http.head'));
  }
  return out;
}
