const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * A non-negative decimal as text, from the string or number a token carries; undefined for
 * anything else. Numbers are expanded out of exponent notation so they compare like strings do.
 */
export function toDecimal(value: unknown): string | undefined {
  if (typeof value === 'string') return DECIMAL.test(value) ? value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const [mantissa, exponent] = String(value).split('e') as [string, string | undefined];
  if (exponent === undefined) return mantissa;
  const digits = mantissa.replace('.', '');
  const point = (mantissa.includes('.') ? mantissa.indexOf('.') : mantissa.length) + Number(exponent);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Compares two non-negative decimals exactly (no floating point: '0.30000000000000001' is more
 * than '0.3'). Returns a negative number, zero or a positive number, like a sort comparator.
 */
export function compareDecimals(a: string, b: string): number {
  const [aInt, aFrac] = split(a);
  const [bInt, bFrac] = split(b);
  if (aInt.length !== bInt.length) return aInt.length - bInt.length;
  if (aInt !== bInt) return aInt < bInt ? -1 : 1;
  const width = Math.max(aFrac.length, bFrac.length);
  const [x, y] = [aFrac.padEnd(width, '0'), bFrac.padEnd(width, '0')];
  return x === y ? 0 : x < y ? -1 : 1;
}

function split(decimal: string): [string, string] {
  const [int = '', frac = ''] = decimal.split('.');
  return [int.replace(/^0+(?=\d)/, ''), frac];
}
