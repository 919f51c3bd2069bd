/**
 * Entity and character references fast-xml-parser's validator lets through, and bare `&`s. Pure.
 */
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * An entity reference the validator lets through: `&name;` with no DTD to declare it (the parser would leave it
 * as literal text, so `&lol9;` would be spoken) or a character reference to a character XML forbids (`&#0;`).
 * CDATA sections and comments are skipped: `&` is literal there.
 */
export function badReference(source: string): { message: string; offset: number } | undefined {
  const refs = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&(?:(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][\w.:-]*);)?/g;
  for (let m = refs.exec(source); m; m = refs.exec(source)) {
    const ref = m[1];
    // A bare `&` (no name and `;` after it) in an attribute value: the validator lets it through, but expat and
    // every conforming parser, Exotel's included, refuse the document there (the usual `?a=1&b=2` in an action).
    if (m[0] === '&') return { message: "a bare '&' (write &amp;, also inside attribute values and URLs)", offset: m.index };
    if (ref === undefined) continue;
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      if (!isXmlChar(cp)) return { message: `&${ref}; refers to a character XML does not allow`, offset: m.index };
    } else if (!PREDEFINED.has(ref)) {
      return { message: `undeclared entity &${ref}; (ExoML has no DTD; write &amp;${ref}; for a literal)`, offset: m.index };
    }
  }
  return undefined;
}

/**
 * Where an end tag without its `>` starts (`</Response` at the end of the file): the validator reports the
 * place it gave up, often the end of the document, which is not where the mistake is.
 */
export function unclosedEndTag(source: string, message: string): number | undefined {
  const name = /^Closing tag '([^']+)' doesn't have proper closing/.exec(message)?.[1];
  if (name === undefined) return undefined;
  const tag = new RegExp(`</${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.:-])(?!\\s*>)`, 'g');
  let last: number | undefined;
  for (let m = tag.exec(source); m; m = tag.exec(source)) last = m.index;
  return last;
}
