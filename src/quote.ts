const MAX_SHOWN = 80;

/**
 * A value from an input or an answer, fit for one log line: control characters escaped (a line
 * break could start a workflow command) and long values cut, so hostile input cannot flood a log.
 */
export function shown(text: string, max = MAX_SHOWN): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return short.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}
