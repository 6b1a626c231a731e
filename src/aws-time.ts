import { parseIsoTime } from './token/iso-time.js';

/**
 * Parses the timestamps License Manager returns. The model asks for a zone, yet every published
 * example omits it: a zone-less time is UTC (parseIsoTime's rule, shared with token verification).
 */
export function parseAwsTime(text: string | undefined): Date | undefined {
  return text ? parseIsoTime(text.trim()) : undefined;
}

/** ISO 8601 with `Z`, to the second: what the outputs promise. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
