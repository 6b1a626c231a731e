/**
 * A non-negative decimal as text, from the string or number a token carries; undefined for
 * anything else. Numbers are expanded out of exponent notation so they compare like strings do.
 */
export declare function toDecimal(value: unknown): string | undefined;
/**
 * Compares two non-negative decimals exactly (no floating point: '0.30000000000000001' is more
 * than '0.3'). Returns a negative number, zero or a positive number, like a sort comparator.
 */
export declare function compareDecimals(a: string, b: string): number;
