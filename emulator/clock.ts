/**
 * Real wall-clock timestamps, with TTL minutes compressed by `minuteMs` so expiry and
 * keepalive behaviour can be exercised in seconds while timestamps stay realistic.
 */
export interface Clock {
  now(): number;
  /** Real milliseconds that `minutes` of license/token time last. */
  minutes(minutes: number): number;
  readonly minuteMs: number;
  /** The timestamp form of the emulator's API answers (IssuedAt, Expiration, CreateTime...). */
  format(ms: number): string;
}

export function createClock(minuteMs: number, zonelessTimestamps = false, now: () => number = Date.now): Clock {
  return { now, minuteMs, minutes: (m) => m * minuteMs, format: zonelessTimestamps ? isoZonelessMillis : isoWithZone };
}

/** `2021-04-14T05:35:47.123Z`: what the emulator's JSON answers carry (model-conformant, ms precision). */
export const isoWithZone = (ms: number): string => new Date(ms).toISOString();

/** `2021-04-14T05:35:47.123`: zone-less like AWS's examples, but keeping ms so short TTLs stay exact. */
const isoZonelessMillis = (ms: number): string => new Date(ms).toISOString().slice(0, 23);

/** `2021-04-14T05:35:47`: the zone-less UTC form AWS's published examples and borrowed tokens use. */
export const isoZoneless = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/** ISO 8601 with optional fraction and optional zone; a missing zone means UTC (see reference). */
export const LENIENT_ISO_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;

export function parseLenientIso(value: string): number | undefined {
  if (!LENIENT_ISO_PATTERN.test(value)) return undefined;
  const hasZone = /(Z|[+-]\d\d:\d\d)$/.test(value);
  const ms = Date.parse(hasZone ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `20240101T000000Z`, the SigV4 date form. */
export const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
