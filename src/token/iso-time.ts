const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date-time strictly: calendar date, `T`, time to the second, optional
 * fraction and zone. A missing zone means UTC, as in every License Manager example. Out-of-range
 * fields (Feb 30, 24:00, 60 s) are refused rather than rolled over as Date would.
 */
export function parseIsoTime(text: string): Date | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const offset = zoneOffsetMinutes(m[8] ?? 'Z');
  if (offset === undefined) return undefined;
  date.setUTCHours(hour, minute - offset, second, millis);
  return date;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** ISO 8601 in UTC with `Z`, without a fraction when it is zero: what the outputs promise. */
export function formatIsoTime(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
