import { type Refusal } from './refusal.js';
/**
 * The state file remembers the newest time a verification on this machine has seen, so that a
 * clock set back (to revive an expired token on a self-hosted runner) is noticed.
 * Format: `{"newestSeen":"2025-01-01T00:00:00Z"}`. A missing or empty file means nothing seen yet.
 */
export declare function readNewestSeen(path: string): Promise<Date | undefined | Refusal>;
/**
 * Records the newest time seen, atomically (a reader sees the old or the new file, never half of
 * one) and readable by the owner only.
 */
export declare function recordNewestSeen(path: string, time: Date): Promise<Refusal | undefined>;
