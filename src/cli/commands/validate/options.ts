/** The flags of `validate`, shared by the command (index.ts) and the lazily loaded checker (check.ts). */
import { UsageError } from '../../../errors.ts';
import type { SurfaceKind } from '../../../exoml/http-response.ts';

export type ValidateCommandOptions = { kind?: SurfaceKind; strict?: boolean; allowTwimlExtras?: boolean; method: string; timeout: string };

export function parseTimeout(raw: string): number {
  const ms = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) throw new UsageError(`--timeout ${raw}: expected milliseconds, a positive integer`);
  return ms;
}

export function parseMethod(raw: string): 'GET' | 'POST' {
  const method = raw.toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new UsageError(`--method ${raw}: expected GET or POST`);
  return method;
}
