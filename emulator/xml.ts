/** Just enough XML for STS's Query answers. */
export type XmlNode = string | number | { [name: string]: XmlNode | undefined };

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function toXml(node: XmlNode): string {
  if (typeof node !== 'object') return escape(String(node));
  return Object.entries(node)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `<${name}>${toXml(v as XmlNode)}</${name}>`)
    .join('');
}

export function xmlDocument(root: string, namespace: string | undefined, body: XmlNode): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${toXml(body)}</${root}>\n`;
}
