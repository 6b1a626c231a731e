import { type Refusal } from './refusal.js';
/**
 * The state file remembers the newest time a verification on this machine has seen, so that a
 * clock set back (to revive an expired token on a self-hosted runner) is noticed.
 * Format: `{"newestSeen":"2025-01-01T00:00:00Z"}`. A missing or empty file means nothing seen yet.
 * It must be a regular file (a link is not followed, a FIFO not waited on, a device not read).
 */
export declare function readNewestSeen(path: string): Promise<Date | undefined | Refusal>;
/**
 * Records `time` unless the file already holds a later one: under a lock, the file is read again
 * and the maximum written, so concurrent checks never move it backwards. The file is replaced
 * atomically (a reader sees the old or the new file, never half of one) and is readable by the
 * owner only. A directory, device, FIFO or link in its place is refused, never replaced.
 */
export declare function recordNewestSeen(path: string, time: Date): Promise<Refusal | undefined>;
