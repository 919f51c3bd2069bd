/**
 * Parse an ExoML document into a small tree that keeps line:column for every element and attribute, so the
 * validator and the simulator point at the exact place. Pure: no I/O.
 *
 * Hostile input is refused before fast-xml-parser sees it, in bounded time and memory: a size cap, binary /
 * invalid UTF-8, a DOCTYPE (ExoML has no DTD, and a DTD is how entity-expansion bombs such as "billion laughs"
 * work), and a nesting cap (the tree is converted without recursion).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errorMessage } from '../errors.ts';
import { createPositionLookup } from './position.ts';
import { badReference, unclosedEndTag } from './references.ts';
import { attributeOffsets } from './start-tag.ts';

export type ExomlNode = {
  name: string;
  /** Attribute values, entities decoded, in document order. */
  attrs: Record<string, string>;
  /** Concatenated text content (CDATA included), entities decoded, not trimmed. */
  text: string;
  children: ExomlNode[];
  line: number;
  column: number;
  /** `Response/Gather[1]/Say[2]`: element names with 1-based positions among siblings of the same name. */
  path: string;
  /** Offset of `<` in the source (after BOM removal). */
  offset: number;
};

export type ParseProblem =
  | 'too-large'
  | 'binary'
  | 'invalid-utf8'
  | 'bom'
  | 'before-prolog'
  | 'encoding'
  | 'doctype'
  | 'malformed'
  | 'too-deep'
  | 'empty';

type ParseIssue = { problem: ParseProblem; message: string; line: number; column: number };

export type ParsedExoml = {
  /** The root element; undefined when the document could not be parsed at all. */
  root: ExomlNode | undefined;
  /** The XML declaration's attributes, when there is one. */
  declaration: Record<string, string> | undefined;
  /** Problems found; a fatal one (anything but `bom`, `before-prolog`, `encoding`) leaves `root` undefined. */
  issues: ParseIssue[];
  /** The decoded source, for locating things and quoting lines. */
  source: string;
  /** Line and column (1-based) of an offset in `source`. */
  position: (offset: number) => { line: number; column: number };
  /** Where attribute `name` of `node` is written; the element's position when it cannot be found. */
  attributePosition: (node: ExomlNode, name: string) => { line: number; column: number };
};

export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;

const METADATA = XMLParser.getMetaDataSymbol() as unknown as symbol;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  captureMetaData: true,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MAX_DEPTH + 1,
});

/** Decode bytes strictly as UTF-8; report binary content (NUL bytes) and invalid sequences. */
function decode(input: string | Uint8Array): { text: string } | ParseIssue {
  if (typeof input === 'string') {
    const nul = input.indexOf('\u0000');
    if (nul >= 0) return { problem: 'binary', message: 'the document contains NUL characters (binary data?)', line: 1, column: 1 };
    return { text: input };
  }
  if (input.includes(0)) return { problem: 'binary', message: 'the document contains NUL bytes: binary data, not XML', line: 1, column: 1 };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input) };
  } catch {
    return { problem: 'invalid-utf8', message: 'the document is not valid UTF-8', line: 1, column: 1 };
  }
}

type RawNode = Record<string | symbol, unknown>;

function nameOf(raw: RawNode): string | undefined {
  return Object.keys(raw).find((k) => k !== ':@');
}

function metaOffset(raw: RawNode): number {
  const meta = raw[METADATA] as { startIndex?: number } | undefined;
  return meta?.startIndex ?? 0;
}

/** Build ExomlNodes from fast-xml-parser's ordered output with an explicit stack (no recursion). */
function toTree(raw: RawNode, offsetBase: number, position: ParsedExoml['position']): ExomlNode {
  const make = (item: RawNode, name: string, parentPath: string, index: number): ExomlNode => {
    const offset = metaOffset(item) + offsetBase;
    const { line, column } = position(offset);
    const attrs = { ...((item[':@'] ?? {}) as Record<string, string>) };
    const path = parentPath === '' ? name : `${parentPath}/${name}[${index}]`;
    return { name, attrs, text: '', children: [], line, column, path, offset };
  };
  const rootName = nameOf(raw) ?? '';
  const root = make(raw, rootName, '', 1);
  const stack: Array<{ node: ExomlNode; content: RawNode[] }> = [{ node: root, content: (raw[rootName] ?? []) as RawNode[] }];
  while (stack.length > 0) {
    const { node, content } = stack.pop() as { node: ExomlNode; content: RawNode[] };
    const seen = new Map<string, number>();
    for (const item of content) {
      const name = nameOf(item);
      if (name === undefined || name.startsWith('?')) continue;
      if (name === '#text') {
        node.text += String(item['#text'] ?? '');
        continue;
      }
      const index = (seen.get(name) ?? 0) + 1;
      seen.set(name, index);
      const child = make(item, name, node.path, index);
      node.children.push(child);
      stack.push({ node: child, content: (item[name] ?? []) as RawNode[] });
    }
  }
  return root;
}

/** Deepest element nesting, by a linear scan of tags (cheap, and safe before the real parser runs). */
function maxDepth(source: string): { depth: number; offset: number } {
  let depth = 0;
  let worst = { depth: 0, offset: 0 };
  const tags = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
  for (let m = tags.exec(source); m; m = tags.exec(source)) {
    if (m[1] === '/') depth--;
    else if (m[3] !== '/') {
      depth++;
      if (depth > worst.depth) worst = { depth, offset: m.index };
      if (depth > MAX_DEPTH) return worst;
    }
  }
  return worst;
}

function fail(issue: ParseIssue, source: string, position: ParsedExoml['position'], issues: ParseIssue[] = []): ParsedExoml {
  return { root: undefined, declaration: undefined, issues: [...issues, issue], source, position, attributePosition: (n) => ({ line: n.line, column: n.column }) };
}

export function parseExoml(input: string | Uint8Array): ParsedExoml {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  const empty = createPositionLookup('');
  if (size > MAX_DOCUMENT_BYTES) {
    return fail({ problem: 'too-large', message: `the document is ${size} bytes; ExoML documents are limited to ${MAX_DOCUMENT_BYTES} bytes`, line: 1, column: 1 }, '', empty);
  }
  const decoded = decode(input);
  if ('problem' in decoded) return fail(decoded, '', empty);
  const issues: ParseIssue[] = [];
  let source = decoded.text;
  if (source.charCodeAt(0) === 0xfeff) {
    issues.push({ problem: 'bom', message: 'the document starts with a byte-order mark', line: 1, column: 1 });
    source = source.slice(1);
  }
  const position = createPositionLookup(source);
  if (source.trim() === '') return fail({ problem: 'empty', message: 'the document is empty', line: 1, column: 1 }, source, position, issues);

  const declAt = source.indexOf('<?xml');
  if (declAt > 0 && source.slice(0, declAt).trim() === '') {
    issues.push({ problem: 'before-prolog', message: 'whitespace before the XML declaration', line: 1, column: 1 });
  }
  const doctype = /<!DOCTYPE/i.exec(source);
  if (doctype) {
    return fail({ problem: 'doctype', message: 'a DOCTYPE is not allowed in ExoML (no DTDs, no custom entities)', ...position(doctype.index) }, source, position, issues);
  }
  const deep = maxDepth(source);
  if (deep.depth > MAX_DEPTH) {
    return fail({ problem: 'too-deep', message: `elements are nested more than ${MAX_DEPTH} deep`, ...position(deep.offset) }, source, position, issues);
  }
  // Leading whitespace before the declaration makes the validator reject an otherwise good document; that is
  // already reported as 'before-prolog', so validate the rest as if it started at the declaration.
  const base = declAt > 0 && issues.some((i) => i.problem === 'before-prolog') ? declAt : 0;
  const body = source.slice(base);
  const verdict = XMLValidator.validate(body);
  if (verdict !== true) {
    const at = position(base);
    // Some of its errors ("Start tag expected.") come without a column, or a line: count from the start then.
    const errLine = Number.isInteger(verdict.err.line) ? verdict.err.line : 1;
    const errCol = Number.isInteger(verdict.err.col) ? verdict.err.col : 1;
    const line = errLine + at.line - 1;
    const column = errLine === 1 ? errCol + at.column - 1 : errCol;
    const where = unclosedEndTag(body, verdict.err.msg);
    const place = where === undefined ? { line, column } : position(where + base);
    return fail({ problem: 'malformed', message: `not well-formed XML: ${verdict.err.msg}`, ...place }, source, position, issues);
  }
  const reference = badReference(body);
  if (reference) {
    return fail({ problem: 'malformed', message: `not well-formed XML: ${reference.message}`, ...position(reference.offset + base) }, source, position, issues);
  }
  let parsed: RawNode[];
  try {
    parsed = parser.parse(body) as RawNode[];
  } catch (error) {
    return fail({ problem: 'malformed', message: `not well-formed XML: ${errorMessage(error)}`, line: 1, column: 1 }, source, position, issues);
  }
  const declRaw = parsed.find((n) => nameOf(n) === '?xml');
  const declaration = declRaw ? { ...((declRaw[':@'] ?? {}) as Record<string, string>) } : undefined;
  const encoding = declaration?.encoding;
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    issues.push({ problem: 'encoding', message: `the declared encoding is "${encoding}"; ExoML must be UTF-8`, line: 1, column: 1 });
  }
  const elements = parsed.filter((n) => {
    const name = nameOf(n);
    return name !== undefined && name !== '#text' && !name.startsWith('?');
  });
  const first = elements[0];
  if (!first) return fail({ problem: 'empty', message: 'the document has no root element', line: 1, column: 1 }, source, position, issues);
  const second = elements[1];
  if (second) {
    const at = position(metaOffset(second) + base);
    return fail({ problem: 'malformed', message: 'not well-formed XML: more than one root element', ...at }, source, position, issues);
  }
  const root = toTree(first, base, position);
  // Each element's start tag is scanned once, on the first question about it (start-tag.ts).
  const offsets = new WeakMap<ExomlNode, Map<string, number>>();
  const attributePosition = (node: ExomlNode, name: string) => {
    let known = offsets.get(node);
    if (known === undefined) {
      known = attributeOffsets(source, node.offset);
      offsets.set(node, known);
    }
    const at = known.get(name);
    return at === undefined ? { line: node.line, column: node.column } : position(at);
  };
  return { root, declaration, issues, source, position, attributePosition };
}
