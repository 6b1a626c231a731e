import { formatIsoTime } from './iso-time.js';
import type { LicenseClaims } from './license-claims.js';
import { refuse, type Refusal } from './refusal.js';

/**
 * The most clock skew a caller may allow. The skew widens the window at both ends, so a skew of
 * days would accept a token days after it expired (and report it "valid until" a past date).
 */
export const MAX_CLOCK_SKEW_MS = 3_600_000;

export interface Clock {
  now: Date;
  /** Tolerance for clocks that disagree, applied in the token's favour at both ends. */
  skewMs: number;
  /** The newest time a previous verification on this machine saw (from the state file). */
  newestSeen?: Date;
}

/**
 * Judges the token's validity window. With n = now, s = skew, w = newest time seen:
 * - refused if expiration ≤ issuedAt (a window that cannot contain any instant);
 * - refused if n < w − s: the clock was set back, and every time judgement after it is suspect;
 * - refused if issuedAt (or iat) > n + s, or nbf > n + s: not valid yet;
 * - refused if max(n, w) > expiration (or exp) + s: expired. Judging against max(n, w) means a
 *   clock set back within the skew still cannot revive a token that had expired.
 * A token issued before w stays acceptable: the same borrowed token is verified again and again
 * over its life, so only the current time, not the token's age, is held against the watermark.
 */
export function checkValidity(claims: LicenseClaims, clock: Clock): Refusal | undefined {
  const { issuedAt, expiration } = claims;
  const now = clock.now.getTime();
  const skew = clock.skewMs;
  const at = (ms: number) => formatIsoTime(new Date(ms));
  if (expiration.getTime() <= issuedAt.getTime()) {
    return refuse('expiration-before-issued', `the token expires (${at(+expiration)}) no later than it was issued (${at(+issuedAt)})`);
  }
  const newest = clock.newestSeen?.getTime();
  if (newest !== undefined && now < newest - skew) {
    return refuse('clock-set-back', `the clock reads ${at(now)}, earlier than ${at(newest)} recorded in the state file: it was set back`);
  }
  const latest = Math.max(now, newest ?? now);
  const starts: [string, number | undefined][] = [['issuedAt', +issuedAt], ['iat', seconds(claims.iat)]];
  for (const [name, time] of starts) {
    if (time !== undefined && time > now + skew) {
      return refuse('issued-in-future', `the token's ${name} is ${at(time)}, later than now (${at(now)}) plus the clock skew allowance`);
    }
  }
  const nbf = seconds(claims.nbf);
  if (nbf !== undefined && nbf > now + skew) {
    return refuse('not-yet-valid', `the token is not valid before ${at(nbf)} (nbf); it is ${at(now)}`);
  }
  const ends: [string, number | undefined][] = [['expiration', +expiration], ['exp', seconds(claims.exp)]];
  for (const [name, time] of ends) {
    if (time !== undefined && latest > time + skew) {
      const when = latest === now ? `it is ${at(now)}` : `the state file has seen ${at(latest)}`;
      return refuse('expired', `the token expired at ${at(time)} (${name}); ${when}`);
    }
  }
  return undefined;
}

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}
