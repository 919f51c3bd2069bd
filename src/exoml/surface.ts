/**
 * One entry point for every surface Exotel fetches (ExoML, Gather JSON, Connect JSON, Greeting text): detect
 * the kind when it is not given, decode, validate the body and, when the HTTP response is known, its status
 * and Content-Type. Used by `validate` and usable by the simulator. Pure.
 */
import { finding, sortFindings, type Finding } from './finding.ts';
import { checkResponseMeta, mediaType, type ResponseMeta, type SurfaceKind } from './http-response.ts';
import { validateJsonSurface } from './json-surfaces.ts';
import { MAX_DOCUMENT_BYTES } from './parse.ts';
import { validateExoml, type ValidateOptions } from './validate.ts';

export type { ResponseMeta, SurfaceKind } from './http-response.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input;
  try {
    return utf8.decode(input);
  } catch {
    return undefined;
  }
}

/**
 * `<` first → exoml; a JSON object with gather_prompt → gather-json, with destination → connect-json; anything
 * else → greeting. Hints win when they are unambiguous: a `.xml` name or an XML Content-Type means exoml.
 * Binary, undecodable or empty input is treated as ExoML, whose document rules report it best.
 */
export function detectKind(
  input: string | Uint8Array,
  hints: { name?: string; contentType?: string } = {},
): SurfaceKind {
  if (hints.name !== undefined && /\.xml$/i.test(hints.name)) return 'exoml';
  if (/[/+]xml$/.test(mediaType(hints.contentType))) return 'exoml';
  const head = typeof input === 'string' ? input.slice(0, 4096) : input.subarray(0, 4096);
  if (typeof head !== 'string' && head.includes(0)) return 'exoml';
  const text = decode(input);
  if (text === undefined) return 'exoml';
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start === '' || start.startsWith('<')) return 'exoml';
  if (start.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(start);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        if ('gather_prompt' in value) return 'gather-json';
        if ('destination' in value) return 'connect-json';
      }
    } catch {
      // not JSON after all: a greeting text that starts with a brace
    }
  }
  if (hints.name !== undefined && /\.json$/i.test(hints.name))
    return start.includes('"destination"') ? 'connect-json' : 'gather-json';
  return 'greeting';
}

export type SurfaceValidation = { kind: SurfaceKind; findings: Finding[] };

/**
 * An answer that is not the document: a non-2xx (an error page) or an HTML page (a framework's 404, a login or
 * proxy page). Linting its body as ExoML or JSON buries the real problem under findings about `<html>`.
 */
function notTheDocument(meta: ResponseMeta | undefined): string | undefined {
  if (meta === undefined) return undefined;
  const failed = meta.status !== undefined && (meta.status < 200 || meta.status > 299);
  const html = mediaType(meta.contentType) === 'text/html';
  if (!failed && !html) return undefined;
  const type = meta.contentType ? `Content-Type "${meta.contentType}"` : 'no Content-Type';
  return `${failed ? 'the answer is an error' : 'the answer is an HTML page'} (HTTP ${meta.status ?? '?'}, ${type}): its body was not checked`;
}

/** Validate one body of `kind` (detected when omitted), plus its HTTP status / Content-Type when `meta` is given. */
export function validateSurface(
  input: string | Uint8Array,
  options: ValidateOptions & { kind?: SurfaceKind; meta?: ResponseMeta; name?: string } = {},
): SurfaceValidation {
  const kind =
    options.kind ??
    detectKind(input, {
      ...(options.name ? { name: options.name } : {}),
      ...(options.meta?.contentType ? { contentType: options.meta.contentType } : {}),
    });
  const skipped = notTheDocument(options.meta);
  if (skipped !== undefined && options.meta !== undefined) {
    // The status and Content-Type findings say what is wrong; each says too that the body was left alone.
    const findings = checkResponseMeta(kind, options.meta).map((f) =>
      f.path === 'http.status' || f.path === 'http.content-type' ? { ...f, message: `${f.message}; ${skipped}` } : f,
    );
    return { kind, findings: sortFindings(findings) };
  }
  if (kind === 'exoml') {
    const { findings } = validateExoml(input, options);
    return {
      kind,
      findings: sortFindings([...(options.meta ? checkResponseMeta(kind, options.meta) : []), ...findings]),
    };
  }
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  const text = size > MAX_DOCUMENT_BYTES ? undefined : decode(input);
  if (text === undefined) {
    const problem =
      size > MAX_DOCUMENT_BYTES
        ? finding('EXO007', `the body is ${size} bytes; the limit is ${MAX_DOCUMENT_BYTES}`, { line: 1, column: 1 }, '')
        : finding('EXO002', 'the body is not valid UTF-8', { line: 1, column: 1 }, '');
    return { kind, findings: sortFindings([...(options.meta ? checkResponseMeta(kind, options.meta) : []), problem]) };
  }
  return { kind, findings: validateJsonSurface(kind, text, options.meta) };
}
