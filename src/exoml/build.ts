/**
 * A typed ExoML builder: every verb is data, every text and attribute value is escaped on the way out, so a
 * customer called `Rao & <Sons>` can never break the document or inject a verb (docs/exotel-protocol.md §9.1 item 3).
 * Attribute names and value types follow the project's strict dialect (§5.5).
 */
type Voice = 'man' | 'woman';
/** The method a verb's URL is fetched with, and so of every request Exotel makes to a webhook (§5.2). */
export type HttpMethod = 'GET' | 'POST';

// The verbs as the builder takes them (numbers are numbers, defaults left to Exotel). What the simulator reads
// back out of a document is a different shape, with positions and Exotel's defaults filled in: PlayedSay etc.
// in src/simulate/types.ts.

export type SayVerb = { verb: 'Say'; text: string; voice?: Voice; language?: string; loop?: number };
type PlayVerb = { verb: 'Play'; url: string; loop?: number };
export type GatherVerb = {
  verb: 'Gather';
  action: string;
  method?: HttpMethod;
  timeout?: number;
  numDigits?: number;
  finishOnKey?: string;
  prompts: ReadonlyArray<SayVerb | PlayVerb>;
};
export type DialVerb = {
  verb: 'Dial';
  numbers: readonly string[];
  callerId?: string;
  timeout?: number;
  timeLimit?: number;
  action?: string;
  method?: HttpMethod;
  record?: boolean;
};
type RecordVerb = {
  verb: 'Record';
  action?: string;
  method?: HttpMethod;
  timeout?: number;
  maxLength?: number;
  finishOnKey?: string;
  playBeep?: boolean;
};
type RedirectVerb = { verb: 'Redirect'; url: string; method?: HttpMethod };
type HangupVerb = { verb: 'Hangup' };

export type Verb = SayVerb | PlayVerb | GatherVerb | DialVerb | RecordVerb | RedirectVerb | HangupVerb;

/**
 * XML 1.0 forbids most C0 controls, U+FFFE/U+FFFF and lone surrogates even when escaped; drop them so hostile
 * input cannot make the document ill-formed.
 */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

type AttrValue = string | number | boolean | undefined;

function attributes(attrs: Readonly<Record<string, AttrValue>>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${escapeAttribute(String(value))}"`;
  }
  return out;
}

function element(name: string, attrs: Readonly<Record<string, AttrValue>>, text: string | undefined, indent: string): string {
  const open = `${indent}<${name}${attributes(attrs)}`;
  return text === undefined ? `${open}/>` : `${open}>${escapeText(text)}</${name}>`;
}

function renderVerb(verb: Verb, indent: string): string {
  switch (verb.verb) {
    case 'Say':
      return element('Say', { voice: verb.voice, language: verb.language, loop: verb.loop }, verb.text, indent);
    case 'Play':
      return element('Play', { loop: verb.loop }, verb.url, indent);
    case 'Gather': {
      const attrs = attributes({
        action: verb.action,
        method: verb.method,
        timeout: verb.timeout,
        numDigits: verb.numDigits,
        finishOnKey: verb.finishOnKey,
      });
      if (verb.prompts.length === 0) return `${indent}<Gather${attrs}/>`;
      const inner = verb.prompts.map((prompt) => renderVerb(prompt, `${indent}  `)).join('\n');
      return `${indent}<Gather${attrs}>\n${inner}\n${indent}</Gather>`;
    }
    case 'Dial': {
      const attrs = attributes({
        action: verb.action,
        method: verb.method,
        timeout: verb.timeout,
        timeLimit: verb.timeLimit,
        callerId: verb.callerId,
        record: verb.record,
      });
      const inner = verb.numbers.map((number) => element('Number', {}, number, `${indent}  `)).join('\n');
      return `${indent}<Dial${attrs}>\n${inner}\n${indent}</Dial>`;
    }
    case 'Record':
      return element(
        'Record',
        {
          action: verb.action,
          method: verb.method,
          timeout: verb.timeout,
          maxLength: verb.maxLength,
          finishOnKey: verb.finishOnKey,
          playBeep: verb.playBeep,
        },
        undefined,
        indent,
      );
    case 'Redirect':
      return element('Redirect', { method: verb.method }, verb.url, indent);
    case 'Hangup':
      return `${indent}<Hangup/>`;
  }
}

/** A complete UTF-8 ExoML document: prolog, `<Response>`, one verb per line. */
export function buildExoml(verbs: readonly Verb[]): string {
  const body = verbs.map((verb) => renderVerb(verb, '  ')).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${body ? `\n${body}\n` : ''}</Response>\n`;
}
