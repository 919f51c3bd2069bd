/**
 * Approximate line:column of a key path in a JSON text, without a position-keeping JSON parser: each key of
 * the path is searched (as `"key"`) after the previous one. Good enough to point at the line of a finding in a
 * hand-written or pretty-printed response. Pure.
 */
import type { Position } from './finding.ts';

export type Locator = ((path: readonly string[]) => Position) & { fromParseError: (message: string) => Position; at: (offset: number) => Position };

export function createLocator(text: string): Locator {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const at = (offset: number): Position => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  };
  const locate = (path: readonly string[]): Position => {
    let offset = Math.max(0, text.search(/\S/));
    let from = 0;
    for (const key of path) {
      const found = text.indexOf(JSON.stringify(key), from);
      if (found < 0) break;
      offset = found;
      from = found + 1;
    }
    return at(offset);
  };
  const fromParseError = (message: string): Position => {
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
    const pos = /position (\d+)/.exec(message);
    return pos ? at(Number(pos[1])) : at(Math.max(0, text.search(/\S/)));
  };
  return Object.assign(locate, { fromParseError, at });
}
