const MAX_SHOWN = 80;

/** Characters that end or bend a log line: C0 controls, DEL and the Unicode line separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f\u2028\u2029]/;
const CONTROL_CHARS_ALL = new RegExp(CONTROL_CHARS.source, 'g');

/** The text with every control character replaced by a space. */
export function flattened(text: string): string {
  return text.replace(CONTROL_CHARS_ALL, ' ');
}

/**
 * A value from an input or an answer, fit for one log line: control characters escaped (a line
 * break could start a workflow command) and long values cut, so hostile input cannot flood a log.
 */
export function shown(text: string, max = MAX_SHOWN): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return short.replace(CONTROL_CHARS_ALL, (c) => JSON.stringify(c).slice(1, -1));
}
