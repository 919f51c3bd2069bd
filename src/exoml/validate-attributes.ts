/** Attribute whitelist and value rules per element (docs/exotel-protocol.md §5.5, §10.5 "Value errors"). Pure. */
import type { Code } from './codes.ts';
import { PHONE, SAY_LANGUAGES, type AttrType, type ElementSpec } from './dialect.ts';
import { finding, type Finding, type Position } from './finding.ts';
import type { ExomlNode } from './parse.ts';
import { urlShape } from './urls.ts';

export type AttributeContext = { attributePosition: (node: ExomlNode, name: string) => Position };

type Problem = { code: Code; message: string; hint?: string };

const INTEGER = /^[0-9]{1,9}$/;
const DTMF = /^[0-9*#wW]+$/;
const KEYS = /^[0-9*#]$/;

/** TwiML <Gather> attributes that only matter for speech input. */
const TWIML_SPEECH: ReadonlySet<string> = new Set([
  'language',
  'speechTimeout',
  'speechModel',
  'hints',
  'profanityFilter',
  'enhanced',
  'partialResultCallback',
  'partialResultCallbackMethod',
  'actionOnEmptyResult',
]);

const quote = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

function checkInt(name: string, value: string, type: Extract<AttrType, { kind: 'int' }>): Problem | undefined {
  const n = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (Number.isInteger(n) && n >= type.min && (type.max === undefined || n <= type.max)) return undefined;
  const range = type.max === undefined ? `an integer ≥ ${type.min}` : `an integer ${type.min}–${type.max}`;
  return { code: type.code, message: `${name}=${quote(value)}: must be ${range}` };
}

function checkLanguage(value: string): Problem | undefined {
  if ((SAY_LANGUAGES as readonly string[]).includes(value)) return undefined;
  const bcp = /^([a-z]{2})[-_]IN$/i.exec(value);
  const base = bcp?.[1]?.toLowerCase();
  const short = base === 'od' ? 'or' : base;
  if (short !== undefined && (SAY_LANGUAGES as readonly string[]).includes(short)) {
    return { code: 'EXO204', message: `language=${quote(value)}: Exotel documents the short code "${short}"`, hint: `write language="${short}"` };
  }
  const lower = value.toLowerCase();
  if (value !== lower && (SAY_LANGUAGES as readonly string[]).includes(lower)) {
    return { code: 'EXO203', message: `language=${quote(value)}: codes are lower case`, hint: `write language="${lower}"` };
  }
  return { code: 'EXO203', message: `language=${quote(value)}: not one of ${SAY_LANGUAGES.join(', ')}` };
}

function checkValue(name: string, value: string, type: AttrType): Problem | undefined {
  switch (type.kind) {
    case 'int':
      return checkInt(name, value, type);
    case 'bool':
      return value === 'true' || value === 'false' ? undefined : { code: 'EXO210', message: `${name}=${quote(value)}: must be true or false` };
    case 'method':
      if (value === 'GET' || value === 'POST') return undefined;
      return {
        code: 'EXO209',
        message: `${name}=${quote(value)}: must be GET or POST`,
        ...(/^(get|post)$/i.test(value) ? { hint: `write ${name}="${value.toUpperCase()}"` } : {}),
      };
    case 'url': {
      const shape = urlShape(value);
      if (shape === 'absolute') return undefined;
      if (shape === 'relative') return { code: 'EXO301', message: `${name}=${quote(value)} is a relative URL` };
      return { code: 'EXO302', message: `${name}=${quote(value)} is not an http(s) URL` };
    }
    case 'voice':
      if (value === 'man' || value === 'woman') return undefined;
      if (value === 'female' || value === 'male') {
        return { code: 'EXO202', message: `voice=${quote(value)}: Exotel's voices are man and woman`, hint: `use woman/man: voice="${value === 'female' ? 'woman' : 'man'}"` };
      }
      if (/^[a-z]{2}[-_][a-z]{2}$/i.test(value)) {
        return { code: 'EXO202', message: `voice=${quote(value)} looks like a language code: voice is man or woman`, hint: `the language goes in language="${value.slice(0, 2).toLowerCase()}"` };
      }
      return { code: 'EXO202', message: `voice=${quote(value)}: must be man or woman` };
    case 'language':
      return checkLanguage(value);
    case 'finishOnKey': {
      if (value === '') return undefined;
      const keys = [...value];
      const ok = type.multiple ? keys.every((k) => KEYS.test(k)) && new Set(keys).size === keys.length : KEYS.test(value);
      return ok ? undefined : { code: 'EXO208', message: `${name}=${quote(value)}: ${type.multiple ? 'a set of' : 'one of'} 0-9 * # or ""` };
    }
    case 'phone':
      return PHONE.test(value) ? undefined : { code: 'EXO211', message: `${name}=${quote(value)} is not a phone number` };
    case 'dtmf':
      return DTMF.test(value) ? undefined : { code: 'EXO214', message: `${name}=${quote(value)}: only 0-9, *, # and w` };
    case 'choice': {
      const items = type.list ? value.split(' ') : [value];
      if (items.length > 0 && items.every((item) => type.values.includes(item))) return undefined;
      return { code: 'EXO215', message: `${name}=${quote(value)}: allowed ${type.list ? 'a space-separated list of ' : ''}${type.values.join(', ')}` };
    }
  }
}

/** Every attribute of `node` against the whitelist of its element spec. */
export function checkAttributes(node: ExomlNode, spec: ElementSpec, ctx: AttributeContext): Finding[] {
  const out: Finding[] = [];
  const allowed = Object.keys(spec.attrs);
  // One string for every unknown attribute of this element, not one each (an element may carry 100,000).
  const allows =
    allowed.length === 0 ? `<${node.name}> takes no attributes` : `<${node.name}> allows: ${allowed.join(', ')}`;
  // A TwiML speech Gather carries several speech attributes: one finding says what is wrong, not one per attribute.
  const speech = node.name === 'Gather' && node.attrs.input !== undefined;
  for (const [name, value] of Object.entries(node.attrs)) {
    const at = ctx.attributePosition(node, name);
    const type = Object.hasOwn(spec.attrs, name) ? spec.attrs[name] : undefined;
    if (speech && name === 'input') {
      const message = `<Gather input=${quote(value)}>: speech input is TwiML; Exotel's <Gather> collects DTMF keys only`;
      out.push(finding('EXO201', message, at, `${node.path}/@${name}`, 'remove input and the speech attributes (language, speechTimeout, …); for speech use the Voicebot applet'));
      continue;
    }
    if (speech && type === undefined && TWIML_SPEECH.has(name)) continue;
    if (type === undefined) {
      const cased = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
      const hint = cased ? `attribute names are case-sensitive: write ${cased}` : allows;
      out.push(finding('EXO201', `<${node.name}> does not allow the attribute ${name}`, at, `${node.path}/@${name}`, hint));
      continue;
    }
    const problem = checkValue(name, value, type);
    if (problem) out.push(finding(problem.code, `<${node.name}> ${problem.message}`, at, `${node.path}/@${name}`, problem.hint));
  }
  return out;
}
