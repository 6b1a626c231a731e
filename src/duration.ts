import { InputError } from './input-error.js';
import { shown } from './quote.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const MAX_MS = 7 * 24 * 3_600_000;
/** Far above any honest duration (`1h30m15s250ms` is 13); the cap bounds the work on hostile text. */
const MAX_CHARS = 64;
const EXAMPLES = '(examples: 0, 90s, 10m, 1h30m)';

/** Parses `0`, `90` (seconds), `90s`, `500ms`, `10m`, `1h`, `1h30m` into milliseconds; at most 7 days. */
export function parseDuration(text: string, input: string): number {
  if (text.length > MAX_CHARS) throw new InputError(input, `is ${text.length} characters long; a duration is at most ${MAX_CHARS} ${EXAMPLES}`);
  const ms = parse(text, input);
  if (ms > MAX_MS) throw new InputError(input, `'${shown(text.trim())}' is longer than 7 days`);
  return ms;
}

/** One pass over the text, part by part (`<digits>[.<digits>]<unit>`): no pattern to backtrack. */
function parse(text: string, input: string): number {
  const t = text.trim().toLowerCase();
  if (t === '') return 0;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const notADuration = () => new InputError(input, `'${shown(text)}' is not a duration ${EXAMPLES}`);
  let total = 0;
  let i = 0;
  while (i < t.length) {
    const start = i;
    i = skipDigits(t, i);
    if (i === start) throw notADuration();
    if (t[i] === '.') {
      const fraction = i + 1;
      i = skipDigits(t, fraction);
      if (i === fraction) throw notADuration();
    }
    const number = Number(t.slice(start, i));
    const unit = t.startsWith('ms', i) ? 'ms' : (t[i] ?? '');
    const unitMs = Object.hasOwn(UNIT_MS, unit) ? UNIT_MS[unit]! : undefined;
    if (unitMs === undefined) throw notADuration();
    total += number * unitMs;
    i += unit.length;
  }
  return Math.round(total);
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
  return i;
}
