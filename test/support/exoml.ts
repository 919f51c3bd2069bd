/** Parse ExoML in tests with fast-xml-parser, preserving order, so assertions read the tree the caller hears. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlNode = { name: string; attrs: Record<string, string>; text: string; children: XmlNode[] };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
});

function toNode(raw: Record<string, unknown>): XmlNode | undefined {
  const name = Object.keys(raw).find((k) => k !== ':@');
  if (!name || name === '#text' || name === '?xml') return undefined;
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const content = (raw[name] ?? []) as Record<string, unknown>[];
  const children: XmlNode[] = [];
  let text = '';
  for (const item of content) {
    if ('#text' in item) text += String(item['#text']);
    else {
      const child = toNode(item);
      if (child) children.push(child);
    }
  }
  return { name, attrs, text, children };
}

/** Assert well-formed and return the <Response> root. */
export function parseResponse(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`ill-formed XML: ${JSON.stringify(valid.err)}\n${xml}`);
  const nodes = (parser.parse(xml) as Record<string, unknown>[]).map(toNode).filter((n): n is XmlNode => n !== undefined);
  const root = nodes[0];
  if (root?.name !== 'Response' || nodes.length !== 1) throw new Error(`expected a single <Response> root:\n${xml}`);
  return root;
}

export function verbs(root: XmlNode): string[] {
  return root.children.map((c) => c.name);
}

export function find(root: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (node: XmlNode) => {
    if (node.name === name) out.push(node);
    node.children.forEach(walk);
  };
  walk(root);
  return out;
}
