/** The flags of `validate`, shared by the command (index.ts) and the lazily loaded checker (check.ts). */
import { UsageError } from '../../../errors.ts';
import type { SurfaceKind } from '../../../exoml/http-response.ts';
import { parseWholeNumber } from '../../../util/whole-number.ts';

export type ValidateCommandOptions = { kind?: SurfaceKind; strict?: boolean; pedantic?: boolean; allowTwimlExtras?: boolean; method: string; timeout: string };

export function parseTimeout(raw: string): number {
  const ms = parseWholeNumber(raw, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (ms === undefined) throw new UsageError(`--timeout ${raw}: expected milliseconds, a positive integer`);
  return ms;
}

export function parseMethod(raw: string): 'GET' | 'POST' {
  const method = raw.toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new UsageError(`--method ${raw}: expected GET or POST`);
  return method;
}
