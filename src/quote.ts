const MAX_SHOWN = 80;

/**
 * Characters that end or bend a log line: C0 and C1 controls (NEL U+0085 ends a line for some
 * readers, CSI U+009B starts a terminal sequence), DEL and the Unicode line separators.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_CHARS_ALL = new RegExp(CONTROL_CHARS.source, 'g');

/** The text with every control character replaced by a space. */
export function flattened(text: string): string {
  return text.replace(CONTROL_CHARS_ALL, ' ');
}

/** The text with every control character written as an escape (`\n`, `\u0085`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARS_ALL, escaped);
}

/** JSON's own escape where it has one; \uXXXX for the rest (JSON.stringify leaves DEL, C1, U+2028/9 as they are). */
function escaped(c: string): string {
  const json = JSON.stringify(c).slice(1, -1);
  return json !== c ? json : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A value from an input or an answer, fit for one log line: control characters escaped (a line
 * break could start a workflow command) and long values cut, so hostile input cannot flood a log.
 */
export function shown(text: string, max = MAX_SHOWN): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return escapeControls(short);
}
