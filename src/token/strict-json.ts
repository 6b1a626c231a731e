export type JsonObject = Record<string, unknown>;

export type ParsedObject = { object: JsonObject } | { problem: string; duplicate?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses UTF-8 bytes that must hold one JSON object. JSON.parse keeps the last of two members
 * with the same name, so a token could show one value to this verifier and another to a
 * different parser; duplicates are refused instead.
 */
export function parseJsonObject(bytes: Uint8Array): ParsedObject {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: 'is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: `is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object` };
  }
  const duplicate = findDuplicateMember(text);
  if (duplicate !== undefined) return { problem: 'has a duplicate member', duplicate };
  return { object: value as JsonObject };
}

/**
 * The first member name that appears twice in one object of `text`, which must already be valid
 * JSON. Walks the text once with a stack of the names seen per open object (null for arrays).
 */
export function findDuplicateMember(text: string): string | undefined {
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      const names = open.at(-1);
      if (names && expectName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectName = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectName = Boolean(open.at(-1));
    }
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

/** Reads a member only if the object itself has it (never one inherited from Object.prototype). */
export function own(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}
