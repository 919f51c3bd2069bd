/**
 * Approximate line:column of a key path in a JSON text, without a position-keeping JSON parser: each key of
 * the path is searched (as `"key"`) after the previous one. Good enough to point at the line of a finding in a
 * hand-written or pretty-printed response. Pure.
 */
import type { Position } from './finding.ts';
import { createPositionLookup } from './position.ts';

export type Locator = ((path: readonly string[]) => Position) & { fromParseError: (message: string) => Position; at: (offset: number) => Position };

export function createLocator(text: string): Locator {
  const at = createPositionLookup(text);
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
    if (pos) return at(Number(pos[1]));
    const offset = jsonErrorOffset(text);
    return at(offset < 0 ? Math.max(0, text.search(/\S/)) : offset);
  };
  return Object.assign(locate, { fromParseError, at });
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

/** Offset of the first JSON syntax error in `text` (-1 when it is valid). Iterative: no recursion on deep input. */
export function jsonErrorOffset(text: string): number {
  const stack: string[] = [];
  let expect: 'value' | 'value-or-end' | 'key' | 'key-or-end' | 'colon' | 'after-value' = 'value';
  let i = 0;
  const string = (): boolean => {
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) return ++i > 0;
      if (c < 32) return false;
      if (c === 92) {
        const next = text[i + 1] ?? '';
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
        else if ('"\\/bfnrt'.includes(next) && next !== '') i += 1;
        else return false;
      }
    }
    return false;
  };
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
    const c = text[i];
    if (expect === 'after-value') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? -1 : i;
      if (c === ',') [i, expect] = [i + 1, top === '{' ? 'key' : 'value'];
      else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        stack.pop();
        [i, expect] = [i + 1, 'after-value'];
      } else return i;
    } else if (expect === 'colon') {
      if (c !== ':') return i;
      [i, expect] = [i + 1, 'value'];
    } else if (expect === 'key' || expect === 'key-or-end') {
      if (c === '}' && expect === 'key-or-end') {
        stack.pop();
        [i, expect] = [i + 1, 'after-value'];
      } else if (c === '"' && string()) expect = 'colon';
      else return i;
    } else if (c === ']' && expect === 'value-or-end') {
      stack.pop();
      [i, expect] = [i + 1, 'after-value'];
    } else if (c === '{' || c === '[') {
      stack.push(c);
      [i, expect] = [i + 1, c === '{' ? 'key-or-end' : 'value-or-end'];
    } else if (c === '"') {
      if (!string()) return Math.min(i, text.length);
      expect = 'after-value';
    } else {
      NUMBER.lastIndex = i;
      LITERAL.lastIndex = i;
      const m = NUMBER.exec(text) ?? LITERAL.exec(text);
      if (!m) return i;
      [i, expect] = [i + m[0].length, 'after-value'];
    }
  }
}
