import type { LicenseClaims } from './license-claims.js';
import { type Refusal } from './refusal.js';
/**
 * The most clock skew a caller may allow. The skew widens the window at both ends, so a skew of
 * days would accept a token days after it expired (and report it "valid until" a past date).
 */
export declare const MAX_CLOCK_SKEW_MS = 3600000;
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
export declare function checkValidity(claims: LicenseClaims, clock: Clock): Refusal | undefined;
