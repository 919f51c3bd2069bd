/**
 * Flow files: YAML mirroring the App Bazaar flow builder (docs/flow.schema.json). Every mistake, an unknown key or
 * a transition to an applet that does not exist, reads `file:line:col: message` (a UsageError, exit 2). Pure.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { entries, fail, list, oneOf, scenarioError, text, whole, type Reader } from '../scenarios/yaml-read.ts';
import { APPLET_KINDS, HANGUP, type AppletFlow, type AppletKind, type FlowApplet } from './types.ts';

const FLOW_KEYS = ['name', 'start', 'status_callback', 'applets'] as const;
const APPLET_KEYS: Readonly<Record<AppletKind, readonly string[]>> = {
  greeting: ['type', 'url', 'text', 'next'],
  gather: ['type', 'url', 'prompt', 'max_input_digits', 'finish_on_key', 'next', 'on_no_input'],
  passthru: ['type', 'url', 'on_ok', 'on_else'],
  connect: ['type', 'url', 'numbers', 'next'],
  hangup: ['type'],
};
const REQUIRED: Readonly<Record<AppletKind, readonly string[]>> = {
  greeting: ['next'],
  gather: ['next'],
  passthru: ['url', 'on_ok', 'on_else'],
  connect: ['next'],
  hangup: [],
};
/** Without a URL the applet needs its static content, as the builder does. */
const STATIC: Partial<Record<AppletKind, string>> = { greeting: 'text', gather: 'prompt', connect: 'numbers' };
const TRANSITIONS = ['next', 'on_ok', 'on_else', 'on_no_input'];

type Target = { name: string; node: unknown };

function appletUrl(reader: Reader, node: unknown, what: string): string {
  const value = text(reader, node, what).trim();
  const absolute = /^https?:\/\//i.test(value) && URL.canParse(value);
  if (!absolute && !value.startsWith('/'))
    fail(reader, node, `${what} must be an absolute http(s) URL or a path starting with / (relative to the base URL)`);
  return value;
}

/** The applet's type, read first: which keys are allowed depends on it. */
function typeOf(reader: Reader, node: unknown, what: string): AppletKind {
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping (key: value)`);
  const type = node.items.find((pair) => isScalar(pair.key) && pair.key.value === 'type');
  if (type === undefined) fail(reader, node, `${what} needs a type (${APPLET_KINDS.join(', ')})`);
  return oneOf(reader, type.value, `${what}.type`, APPLET_KINDS);
}

function readApplet(reader: Reader, node: unknown, name: string, targets: Target[]): FlowApplet {
  const what = `applet "${name}"`;
  const kind = typeOf(reader, node, what);
  const found = entries(reader, node, `${what} (type ${kind})`, APPLET_KEYS[kind]);
  const keys = new Set(found.map((entry) => entry.key));
  for (const key of REQUIRED[kind]) if (!keys.has(key)) fail(reader, node, `${what} (type ${kind}) needs ${key}`);
  const fixed = STATIC[kind];
  if (fixed !== undefined && !keys.has('url') && !keys.has(fixed))
    fail(reader, node, `${what} (type ${kind}) needs url (a dynamic URL) or ${fixed}`);
  const out: Record<string, unknown> = { kind };
  for (const { key, value } of found) {
    if (key === 'type') continue;
    if (TRANSITIONS.includes(key)) {
      const target = text(reader, value, `${what}.${key}`);
      targets.push({ name: target, node: value });
      out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = target;
    } else if (key === 'url') out.url = appletUrl(reader, value, `${what}.url`);
    else if (key === 'max_input_digits') out.maxInputDigits = whole(reader, value, `${what}.${key}`, 1);
    else if (key === 'finish_on_key') {
      const keyText = text(reader, value, `${what}.${key}`);
      if (!/^[0-9*#]?$/.test(keyText)) fail(reader, value, `${what}.${key} must be one of 0-9, * and #, or ""`);
      out.finishOnKey = keyText;
    } else if (key === 'numbers') {
      const numbers = list(reader, value, `${what}.numbers`).map((item, i) => text(reader, item, `numbers[${i}]`));
      if (numbers.length === 0) fail(reader, value, `${what}.numbers must list at least one number`);
      out.numbers = numbers;
    } else out[key] = text(reader, value, `${what}.${key}`);
  }
  return out as FlowApplet;
}

/** The flow of one file; the first mistake is thrown as a UsageError (E_FLOW) with its position. */
export function parseFlow(source: string, file: string): AppletFlow {
  const lines = new LineCounter();
  const reader: Reader = { file, text: source, lines, code: 'E_FLOW' };
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error !== undefined) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw scenarioError({ file, line, col }, `YAML: ${error.message.split('\n')[0] ?? error.code}`, 'E_FLOW');
  }
  if (doc.contents === null) throw scenarioError({ file, line: 1, col: 1 }, 'the flow file is empty', 'E_FLOW');
  const found = entries(reader, doc.contents, 'the flow', FLOW_KEYS);
  const applets: Record<string, FlowApplet> = {};
  const targets: Target[] = [];
  let start: Target | undefined;
  const flow: Omit<AppletFlow, 'start' | 'applets'> = { name: file };
  for (const { key, value } of found) {
    if (key === 'name') flow.name = text(reader, value, 'name');
    else if (key === 'status_callback') flow.statusCallback = appletUrl(reader, value, 'status_callback');
    else if (key === 'start') start = { name: text(reader, value, 'start'), node: value };
    else {
      for (const entry of entries(reader, value, 'applets', keysOf(value))) {
        applets[entry.key] = readApplet(reader, entry.value, entry.key, targets);
      }
    }
  }
  const names = Object.keys(applets);
  if (names.length === 0) fail(reader, doc.contents, 'the flow needs applets (at least one)');
  for (const target of [...targets, ...(start ? [start] : [])]) {
    if (target.name !== HANGUP && !(target.name in applets))
      fail(reader, target.node, `no applet named "${target.name}" (applets: ${names.join(', ')}; or ${HANGUP})`);
  }
  if (start?.name === HANGUP && !(HANGUP in applets)) fail(reader, start.node, 'the flow cannot start with hangup');
  return { ...flow, start: start?.name ?? (names[0] as string), applets };
}

/** The applet names as written (any name is allowed; duplicates are a YAML error). */
function keysOf(node: unknown): string[] {
  const items = (node as { items?: Array<{ key?: { value?: unknown } }> } | null)?.items;
  return Array.isArray(items) ? items.map((pair) => String(pair.key?.value ?? '')) : [];
}
