/**
 * Characters that end or bend a log line: C0 and C1 controls (NEL U+0085 ends a line for some
 * readers, CSI U+009B starts a terminal sequence), DEL and the Unicode line separators.
 */
export declare const CONTROL_CHARS: RegExp;
/** The text with every control character replaced by a space. */
export declare function flattened(text: string): string;
/** The text with every control character written as an escape (`\n`, `\u0085`). */
export declare function escapeControls(text: string): string;
/**
 * A value from an input or an answer, fit for one log line: control characters escaped (a line
 * break could start a workflow command) and long values cut, so hostile input cannot flood a log.
 */
export declare function shown(text: string, max?: number): string;
