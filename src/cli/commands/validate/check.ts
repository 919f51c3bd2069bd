/** One source of `validate`: read or fetch it, then run the rules for its kind. Loaded lazily by index.ts. */
import { UnreachableError } from '../../../errors.ts';
import { finding, type Finding } from '../../../exoml/finding.ts';
import { checkResponseMeta } from '../../../exoml/http-response.ts';
import { MAX_DOCUMENT_BYTES } from '../../../exoml/parse.ts';
import { detectKind, validateSurface, type ResponseMeta } from '../../../exoml/surface.ts';
import type { HttpFailure } from '../../../http/client.ts';
import { fetchLikeExotel } from '../../../validate/fetch-like-exotel.ts';
import type { CliContext } from '../../context.ts';
import { parseMethod, parseTimeout, type ValidateCommandOptions } from './options.ts';
import type { SourceReport } from './report.ts';
import { readFileCapped, readStdinCapped, type Source } from './sources.ts';

function tooLarge(size: number): Finding {
  return finding(
    'EXO007',
    `the document is ${size} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes`,
    { line: 1, column: 1 },
    '',
  );
}

function unreachable(target: string, failure: HttpFailure, timeoutMs: number): UnreachableError {
  // "connection refused", "host not found", or the error's own words; the budget is named because --timeout sets it.
  const text =
    failure.reason === 'timeout' || failure.reason === 'aborted' ? `no answer within ${timeoutMs} ms` : failure.message;
  return new UnreachableError('http', `${new URL(target).origin}: ${text}`, {
    cause: failure.cause,
    hint: 'is the server running? raise the budget with --timeout <ms>',
  });
}

export async function check(ctx: CliContext, source: Source, options: ValidateCommandOptions): Promise<SourceReport> {
  const base = { ...(options.kind ? { kind: options.kind } : {}), allowTwimlExtras: options.allowTwimlExtras === true };
  let bytes: Uint8Array;
  let size: number;
  let meta: ResponseMeta | undefined;
  if (source.type === 'url') {
    const timeoutMs = parseTimeout(options.timeout);
    const got = await fetchLikeExotel(source.url, {
      method: parseMethod(options.method),
      timeoutMs,
      kind: options.kind,
      maxBytes: MAX_DOCUMENT_BYTES + 1,
    });
    if (!got.ok) throw unreachable(source.url, got, timeoutMs);
    bytes = got.body;
    size = got.truncated ? MAX_DOCUMENT_BYTES + 1 : got.body.byteLength;
    meta = {
      status: got.status,
      ...(got.contentType !== undefined ? { contentType: got.contentType } : {}),
      ...(got.head ? { head: got.head } : {}),
    };
  } else {
    const read =
      source.type === 'file'
        ? await readFileCapped(source.path, source.label, MAX_DOCUMENT_BYTES + 1)
        : await readStdinCapped(ctx, MAX_DOCUMENT_BYTES + 1);
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
