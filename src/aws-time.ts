/**
 * Parses the timestamps License Manager returns. The model asks for a zone, yet every published
 * example omits it: a zone-less time is UTC. Returns undefined for anything that is not ISO 8601.
 */
export function parseAwsTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = m[8] ?? 'Z';
  const fraction = m[7] ? m[7].slice(0, 4) : '';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date rolls 30 February over into March; a calendar date that does not exist is not a time.
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && Number(m[4]) < 24 ? date : undefined;
}

/** ISO 8601 with `Z`, without milliseconds: what the outputs promise. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
