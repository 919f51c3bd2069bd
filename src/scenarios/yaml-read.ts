/**
 * Reading YAML nodes with their positions: every value a scenario takes comes through here, so every mistake is
 * reported as `file:line:col: message` (exit 2). Unknown keys are errors, never ignored.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { UsageError } from '../errors.ts';
import type { Position } from './types.ts';

/** `code`: the error code of the mistakes found (default E_SCENARIO; flow files use E_FLOW). */
export type Reader = { file: string; text: string; lines: LineCounter; code?: string };

type Entry = { key: string; value: unknown; keyNode: unknown };

export function positionOf(reader: Reader, node: unknown): Position {
  const range = (node as Node | null)?.range;
  const offset = range?.[0] ?? 0;
  const { line, col } = reader.lines.linePos(offset);
  return { file: reader.file, line, col };
}

export function scenarioError(at: Position, message: string, code = 'E_SCENARIO'): UsageError {
  return new UsageError(`${at.file}:${at.line}:${at.col}: ${message}`, {
    code,
    details: { file: at.file, line: String(at.line), col: String(at.col) },
  });
}

export function fail(reader: Reader, node: unknown, message: string): never {
  throw scenarioError(positionOf(reader, node), message, reader.code);
}

/** The entries of a mapping, after checking each key is one of `allowed`. */
export function entries(reader: Reader, node: unknown, what: string, allowed: readonly string[]): Entry[] {
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping (key: value)`);
  return node.items.map((pair: Pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!allowed.includes(key))
      fail(reader, pair.key, `unknown key "${key}" in ${what} (allowed: ${allowed.join(', ')})`);
    return { key, value: pair.value, keyNode: pair.key };
  });
}

/** A scalar as written: numbers keep their source text, so `09876543210` stays a phone number. */
export function text(reader: Reader, node: unknown, what: string): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object')
    fail(reader, node, `${what} must be a text or a number`);
  if (typeof node.value === 'string') return node.value;
  const range = node.range;
  return range ? reader.text.slice(range[0], range[1]).trim() : String(node.value);
}

export function whole(reader: Reader, node: unknown, what: string, min = 0): number {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < min) {
    fail(reader, node, `${what} must be a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  }
  return node.value;
}

export function flag(reader: Reader, node: unknown, what: string): boolean {
  if (!isScalar(node) || typeof node.value !== 'boolean') fail(reader, node, `${what} must be true or false`);
  return node.value;
}

export function oneOf<T extends string>(reader: Reader, node: unknown, what: string, choices: readonly T[]): T {
  const value = text(reader, node, what);
  if (!choices.includes(value as T)) fail(reader, node, `${what} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** A text or a list of texts. */
export function texts(reader: Reader, node: unknown, what: string): string[] {
  if (isSeq(node)) return node.items.map((item, i) => text(reader, item, `${what}[${i}]`));
  return [text(reader, node, what)];
}

export function list(reader: Reader, node: unknown, what: string): unknown[] {
  if (!isSeq(node)) fail(reader, node, `${what} must be a list`);
  return node.items;
}

/** A flat mapping of texts (customer fields, parameters, state fields). */
export function textMap(
  reader: Reader,
  node: unknown,
  what: string,
  allowed?: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (allowed === undefined && !isMap(node)) fail(reader, node, `${what} must be a mapping (key: value)`);
  const keys = allowed ?? (isMap(node) ? node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : []);
  for (const entry of entries(reader, node, what, keys))
    out[entry.key] = text(reader, entry.value, `${what}.${entry.key}`);
  return out;
}
