/** The shape of one finding, shared by the ExoML validator and the JSON-surface validator. Pure. */
import { codeInfo, type Code, type Severity } from './codes.ts';
import type { Position } from './position.ts';

export type Finding = { code: string; severity: Severity; message: string; hint?: string; line: number; column: number; path: string };

export type { Position } from './position.ts';

/** A finding for `code` at `at`; severity and hint come from the code table unless `hint` overrides it. */
export function finding(code: Code, message: string, at: Position, path: string, hint?: string): Finding {
  const info = codeInfo(code);
  return { code, severity: info.severity, message, hint: hint ?? info.hint, line: at.line, column: at.column, path };
}

/** Sort by line, then column, then code (stable for equal positions). */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Append `items` to `out` one by one. `out.push(...items)` passes every item as an argument: past ~120,000 (one
 * element with that many attributes fits in a 1 MB document) it throws RangeError: Maximum call stack size.
 */
export function appendFindings(out: Finding[], ...lists: ReadonlyArray<readonly Finding[]>): void {
  for (const items of lists) for (const item of items) out.push(item);
}
