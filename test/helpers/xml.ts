/** An element of a parsed XML document. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/**
 * A strict, minimal XML well-formedness parser for test assertions on generated SVG: one root
 * element, properly nested and closed tags, quoted unique attributes, only the five predefined
 * entities (and numeric ones), no stray `<` or `&` in text. Throws on the first violation.
 */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`XML: ${what} at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const checkText = (s: string) => {
    if (s.includes('<')) fail('stray <');
    for (const m of s.matchAll(/&([^;]*);?/g)) if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(m[1]!) || !m[0].endsWith(';')) fail(`bad entity ${m[0]}`);
  };
  if (text.startsWith('<?xml')) {
    const e = text.indexOf('?>');
    if (e < 0) fail('unclosed declaration');
    i = e + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const nameRe = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (stack.length === 0 && chunk.trim()) fail('text outside the root');
    checkText(chunk);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i);
      if (e < 0) fail('unclosed comment');
      i = e + 3;
      continue;
    }
    if (text.startsWith('</', i)) {
      const m = nameRe.exec(text.slice(i + 2));
      if (!m) fail('bad closing tag');
      const top = stack.pop();
      if (!top || top.name !== m![0]) fail(`closing ${m![0]} does not match ${top?.name}`);
      i += 2 + m![0].length;
      while (/\s/.test(text[i]!)) i++;
      if (text[i] !== '>') fail('bad closing tag end');
      i++;
      continue;
    }
    const m = nameRe.exec(text.slice(i + 1));
    if (!m) fail('bad tag name');
    const el: XmlElement = { name: m![0], attrs: {}, children: [] };
    i += 1 + m![0].length;
    for (;;) {
      while (/\s/.test(text[i]!)) i++;
      if (text.startsWith('/>', i) || text[i] === '>') break;
      const a = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(i));
      if (!a) fail('bad attribute');
      if (a![1]! in el.attrs) fail(`duplicate attribute ${a![1]}`);
      const v = a![3] ?? a![4] ?? '';
      checkText(v);
      el.attrs[a![1]!] = v;
      i += a![0].length;
    }
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    else if (root) fail('second root element');
    else root = el;
    if (text.startsWith('/>', i)) i += 2;
    else {
      i++;
      stack.push(el);
    }
  }
  if (stack.length) fail(`unclosed ${stack[stack.length - 1]!.name}`);
  if (!root) fail('no root element');
  return root!;
}

/** Every element of a tree named `name`. */
export function elementsNamed(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => elementsNamed(c, name))];
}
