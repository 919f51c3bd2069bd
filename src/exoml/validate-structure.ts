/**
 * Elements, nesting and text content (docs/exotel-protocol.md §5.5 "Nesting", §10.5 "Document-level errors" and
 * "Content checks"). Walks the tree with an explicit stack; the subtree of an unknown element is not checked
 * (one finding for the element, not one per descendant).
 */
import { ELEMENT_NAMES, ELEMENTS, PHONE, SIP_URI, type ElementSpec } from './dialect.ts';
import { appendFindings, finding, type Finding } from './finding.ts';
import type { ExomlNode } from './parse.ts';
import { isAudioPath, urlShape } from './urls.ts';
import { checkAttributes, type AttributeContext } from './validate-attributes.ts';

const MAX_SAY_CHARACTERS = 4096;

export type Visited = { node: ExomlNode; parent: ExomlNode | undefined };

export type StructureResult = { findings: Finding[]; visited: Visited[] };

const TWIML_ONLY: Readonly<Record<string, string>> = {
  Reject: 'TwiML <Reject> has no Exotel equivalent; answer with <Hangup/>',
  Sms: 'Exotel sends SMS through its API, not through ExoML',
  Conference: 'TwiML <Conference> has no Exotel ExoML equivalent',
  Client: 'Exotel <Dial> takes a phone number or <Number>',
  Sip: 'write the SIP URI as the <Number> text',
  Enqueue: 'TwiML queues have no Exotel ExoML equivalent',
  Stream: 'streams are the Voicebot/Stream applet in the flow builder, not ExoML',
  Connect: 'streams are the Voicebot/Stream applet in the flow builder, not ExoML',
};

const LEGS_API = /^(Flow|StartPlay|StopPlay|StartSay|Answer)$/;
const SSML = /^(break|say-as|prosody|emphasis|speak|sub|p|s|phoneme|lang)$/;
/** developer.exotel.com's <Say> page: its TTS takes a subset of SSML, naming <say-as> and <break>. */
const DOCUMENTED_SSML: ReadonlySet<string> = new Set(['say-as', 'break']);

function countCodePoints(text: string, limit: number): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 0xdc00 || ch > 0xdfff) count++;
    if (count > limit) return count;
  }
  return count;
}

function unknownElement(node: ExomlNode, allowExtras: boolean): Finding {
  const cased = ELEMENT_NAMES.find((n) => n.toLowerCase() === node.name.toLowerCase() && n !== node.name);
  if (node.name === 'Pause' && !allowExtras) return finding('EXO104', '<Pause> is not part of Exotel ExoML', node, node.path);
  if (cased && (!ELEMENTS[cased]?.extra || allowExtras)) {
    return finding('EXO102', `<${node.name}> should be <${cased}>`, node, node.path, `names are case-sensitive: write <${cased}>`);
  }
  const hint = LEGS_API.test(node.name)
    ? `<${node.name}> belongs to the v2 Legs API dialect (<Flow>), not to webhook ExoML`
    : SSML.test(node.name)
      ? 'SSML goes inside <Say>, where Exotel documents <say-as> and <break>'
      : TWIML_ONLY[node.name];
  return finding('EXO103', `unknown element <${node.name}>`, node, node.path, hint);
}

function checkText(node: ExomlNode, spec: ElementSpec): Finding[] {
  const text = node.text.trim();
  const at = { line: node.line, column: node.column };
  switch (spec.text) {
    case 'none':
      return text === '' ? [] : [finding('EXO107', `<${node.name}> cannot contain text ("${text.slice(0, 40)}")`, at, node.path)];
    case 'say': {
      if (text === '') return [finding('EXO401', '<Say> has no text to speak', at, node.path)];
      const out: Finding[] = [];
      const length = countCodePoints(text, MAX_SAY_CHARACTERS);
      if (length > MAX_SAY_CHARACTERS) out.push(finding('EXO402', `<Say> text is over ${MAX_SAY_CHARACTERS} characters`, at, node.path));
      const placeholder = /\{\{\s*[\w.]+\s*\}\}|\$\{[\w.]+\}|\{[a-z_][a-z0-9_]*\}/.exec(text);
      if (placeholder) out.push(finding('EXO403', `<Say> text contains the placeholder ${placeholder[0]}`, at, node.path));
      const leak = /\b(?:undefined|NaN)\b|\[object Object\]/.exec(text);
      if (leak) out.push(finding('EXO404', `<Say> text contains "${leak[0]}"`, at, node.path));
      return out;
    }
    case 'audio-url':
    case 'url': {
      const shape = urlShape(text);
      if (shape === 'invalid') return [finding('EXO302', text === '' ? `<${node.name}> has no URL` : `<${node.name}> "${text.slice(0, 80)}" is not an http(s) URL`, at, node.path)];
      const out: Finding[] = [];
      if (shape === 'relative') out.push(finding('EXO301', `<${node.name}> "${text.slice(0, 80)}" is a relative URL`, at, node.path));
      if (spec.text === 'audio-url' && !isAudioPath(text)) out.push(finding('EXO303', `<Play> "${text.slice(0, 80)}" does not end in .wav or .mp3`, at, node.path));
      return out;
    }
    case 'phone': {
      if (node.name === 'Dial' && node.children.length > 0) {
        return text === '' ? [] : [finding('EXO108', '<Dial> has both a text number and child elements', at, node.path)];
      }
      if (node.name === 'Dial' && text === '') return [finding('EXO108', '<Dial> has no number to dial', at, node.path)];
      if (PHONE.test(text) || SIP_URI.test(text)) return [];
      return [finding('EXO211', text === '' ? `<${node.name}> is empty` : `<${node.name}> "${text.slice(0, 40)}" is not a phone number`, at, node.path)];
    }
  }
}

/** Root, elements, nesting, attributes and text; returns the elements it could check, for the lint pass. */
export function checkStructure(root: ExomlNode, ctx: AttributeContext & { allowExtras: boolean }): StructureResult {
  const findings: Finding[] = [];
  const visited: Visited[] = [];
  if (root.name !== 'Response') {
    if (root.name.toLowerCase() === 'response') {
      findings.push(finding('EXO102', `the root element is <${root.name}>; ExoML needs <Response>`, root, root.path, 'names are case-sensitive: write <Response>'));
    } else {
      const hint = root.name === 'Flow' ? '<Flow> is the v2 Legs API dialect; a webhook answers with <Response>' : undefined;
      findings.push(finding('EXO101', `the root element is <${root.name}>, not <Response>`, root, root.path, hint));
    }
  }
  const stack: Array<{ node: ExomlNode; spec: ElementSpec; parent: ExomlNode | undefined }> = [
    { node: root, spec: ELEMENTS.Response as ElementSpec, parent: undefined },
  ];
  while (stack.length > 0) {
    const { node, spec, parent } = stack.pop() as (typeof stack)[number];
    visited.push({ node, parent });
    appendFindings(findings, checkAttributes(node, spec, ctx), checkText(node, spec));
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as ExomlNode;
      if (node.name === 'Say' && SSML.test(child.name)) {
        if (!DOCUMENTED_SSML.has(child.name)) findings.push(finding('EXO109', `<${child.name}> inside <Say> is SSML Exotel does not document`, child, child.path));
        continue;
      }
      const childSpec = Object.hasOwn(ELEMENTS, child.name) ? ELEMENTS[child.name] : undefined;
      if (childSpec === undefined || (childSpec.extra && !ctx.allowExtras)) {
        findings.push(unknownElement(child, ctx.allowExtras));
        continue;
      }
      if (!spec.children.includes(child.name)) {
        findings.push(
          spec.children.length === 0
            ? finding('EXO106', `<${node.name}> cannot contain <${child.name}>`, child, child.path)
            : finding('EXO105', `<${child.name}> is not allowed inside <${node.name}>`, child, child.path, `<${node.name}> holds only ${spec.children.filter((c) => ctx.allowExtras || !ELEMENTS[c]?.extra).join(', ')}`),
        );
      }
      stack.push({ node: child, spec: childSpec, parent: node });
    }
  }
  visited.sort((a, b) => a.node.offset - b.node.offset);
  return { findings, visited };
}
