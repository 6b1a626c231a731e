import { InputError } from './input-error.js';
import { shown } from './quote.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const MAX_MS = 7 * 24 * 3_600_000;

/** Parses `0`, `90` (seconds), `90s`, `500ms`, `10m`, `1h`, `1h30m` into milliseconds; at most 7 days. */
export function parseDuration(text: string, input: string): number {
  const ms = parse(text, input);
  if (ms > MAX_MS) throw new InputError(input, `'${shown(text.trim())}' is longer than 7 days`);
  return ms;
}

function parse(text: string, input: string): number {
  const t = text.trim().toLowerCase();
  if (t === '') return 0;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new InputError(input, `'${shown(text)}' is not a duration (examples: 0, 90s, 10m, 1h30m)`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}
