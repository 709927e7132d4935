/**
 * A small, dependency-free XML reader for E-utilities replies. PubMed XML is machine-written and
 * well-formed, and its abstracts mix text with inline markup (<i>, <sup>), which a document tree
 * keeps in order while object-mapping parsers split it apart. No DTD is loaded or expanded, so a
 * reply cannot make the reader fetch anything or blow up with entity expansion.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

/** An element, or a run of already-decoded text. */
export type XmlNode = XmlElement | string;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces the five XML entities and numeric character references; unknown ones are kept. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const [, name, doubleQuoted, singleQuoted] = match;
    if (name) attributes[name] = decodeEntities(doubleQuoted ?? singleQuoted ?? '');
  }
  return attributes;
}

function indexAfter(xml: string, token: string, from: number): number {
  const at = xml.indexOf(token, from);
  if (at < 0) throw new Error(`malformed XML: missing "${token}"`);
  return at + token.length;
}

/** Parses a whole document; the result is a synthetic `#document` element holding the root. */
export function parseXml(xml: string): XmlElement {
  const document: XmlElement = { name: '#document', attributes: {}, children: [] };
  const stack: XmlElement[] = [document];
  let i = 0;
  while (i < xml.length) {
    const current = stack[stack.length - 1] as XmlElement;
    const lt = xml.indexOf('<', i);
    if (lt !== i) {
      const end = lt < 0 ? xml.length : lt;
      const text = xml.slice(i, end);
      if (stack.length > 1) current.children.push(decodeEntities(text));
      i = end;
      continue;
    }
    if (xml.startsWith('<?', i)) i = indexAfter(xml, '?>', i);
    else if (xml.startsWith('<!--', i)) i = indexAfter(xml, '-->', i);
    else if (xml.startsWith('<![CDATA[', i)) {
      const end = indexAfter(xml, ']]>', i);
      current.children.push(xml.slice(i + 9, end - 3));
      i = end;
    } else if (xml.startsWith('<!', i)) {
      // DOCTYPE: skipped, including an internal subset in brackets.
      const bracket = xml.indexOf('[', i);
      const close = xml.indexOf('>', i);
      i = bracket >= 0 && bracket < close ? indexAfter(xml, ']>', bracket) : indexAfter(xml, '>', i);
    } else if (xml.startsWith('</', i)) {
      const end = indexAfter(xml, '>', i);
      const name = xml.slice(i + 2, end - 1).trim();
      if (stack.length < 2 || current.name !== name) throw new Error(`malformed XML: unexpected </${name}>`);
      stack.pop();
      i = end;
    } else {
      const end = indexAfter(xml, '>', i);
      const selfClosing = xml[end - 2] === '/';
      const inner = xml.slice(i + 1, selfClosing ? end - 2 : end - 1);
      const nameMatch = /^[^\s/>]+/.exec(inner);
      if (!nameMatch) throw new Error('malformed XML: tag without a name');
      const element: XmlElement = {
        name: nameMatch[0],
        attributes: parseAttributes(inner.slice(nameMatch[0].length)),
        children: [],
      };
      current.children.push(element);
      if (!selfClosing) stack.push(element);
      i = end;
    }
  }
  if (stack.length > 1) throw new Error(`malformed XML: <${stack[stack.length - 1]?.name}> is never closed`);
  return document;
}

/** Direct child elements, optionally only those with `name`. */
export function childElements(parent: XmlElement, name?: string): XmlElement[] {
  return parent.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** Follows a path of direct child names; the first match at each step. */
export function findPath(parent: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let node = parent;
  for (const name of names) node = node ? childElements(node, name)[0] : undefined;
  return node;
}

/** All text below `element`, inline markup flattened and whitespace collapsed. */
export function textContent(element: XmlElement | undefined): string {
  if (!element) return '';
  const collect = (node: XmlNode): string => (typeof node === 'string' ? node : node.children.map(collect).join(''));
  return collect(element).replace(/\s+/g, ' ').trim();
}
