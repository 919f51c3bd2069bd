/** One source of `validate`: read or fetch it, then run the rules for its kind. Loaded lazily by validate.ts. */
import { finding, type Finding } from '../../exoml/finding.ts';
import { checkResponseMeta } from '../../exoml/http-response.ts';
import { MAX_DOCUMENT_BYTES } from '../../exoml/parse.ts';
import { detectKind, validateSurface, type ResponseMeta } from '../../exoml/surface.ts';
import type { CliContext } from '../context.ts';
import { parseMethod, parseTimeout, type ValidateOptions } from './validate.ts';
import { fetchLikeExotel } from './validate-fetch.ts';
import type { SourceReport } from './validate-report.ts';
import { readFileCapped, readStdinCapped, type Source } from './validate-sources.ts';

function tooLarge(size: number): Finding {
  return finding('EXO007', `the document is ${size} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes`, { line: 1, column: 1 }, '');
}

export async function check(ctx: CliContext, source: Source, options: ValidateOptions): Promise<SourceReport> {
  const base = { ...(options.kind ? { kind: options.kind } : {}), allowTwimlExtras: options.allowTwimlExtras === true };
  let bytes: Uint8Array;
  let size: number;
  let meta: ResponseMeta | undefined;
  if (source.type === 'url') {
    const got = await fetchLikeExotel(source.url, { method: parseMethod(options.method), timeoutMs: parseTimeout(options.timeout), kind: options.kind, maxBytes: MAX_DOCUMENT_BYTES + 1 });
    bytes = got.body;
    size = got.truncated ? MAX_DOCUMENT_BYTES + 1 : got.body.byteLength;
    meta = { status: got.status, ...(got.contentType !== undefined ? { contentType: got.contentType } : {}), ...(got.head ? { head: got.head } : {}) };
  } else {
    const read = source.type === 'file' ? await readFileCapped(source.path, source.label, MAX_DOCUMENT_BYTES + 1) : await readStdinCapped(ctx, MAX_DOCUMENT_BYTES + 1);
    bytes = read.bytes;
    size = read.size;
  }
  const name = source.type === 'file' ? source.label : undefined;
  if (size > MAX_DOCUMENT_BYTES) {
    const kind = options.kind ?? detectKind(bytes.subarray(0, 4096), name ? { name } : {});
    const head = meta ? checkResponseMeta(kind, meta) : [];
    return { source: source.label, kind, findings: [...head, tooLarge(size)] };
  }
  const result = validateSurface(bytes, { ...base, ...(meta ? { meta } : {}), ...(name ? { name } : {}) });
  return { source: source.label, kind: result.kind, findings: result.findings };
}

