/**
 * When to extend next: a random point between 50% and 70% of the time left, so at least 30% of
 * the TTL remains for retries, and a fleet of keepalives does not call in step.
 */
export function nextExtensionDelay(nowMs: number, expirationMs: number, random: () => number = Math.random): number {
  const left = Math.max(0, expirationMs - nowMs);
  return Math.max(100, Math.floor(left * (0.5 + 0.2 * random())));
}

/**
 * The keepalive sleeps as a small process and becomes the one that holds the SDK (see run.ts) this
 * long before an extension is due, so starting Node and loading the SDK never delays the call.
 */
export const PREPARE_MS = 5_000;

/**
 * After an extension the keepalive goes back to sleeping small only when the next one is further
 * off than this; with extensions closer together (short TTLs) it stays ready.
 */
export const SLEEP_SMALL_BEYOND_MS = 3 * PREPARE_MS;

/** After a failed extension: try again soon, well before the consumption lapses. */
export function retryDelay(nowMs: number, expirationMs: number, failuresInARow: number): number {
  const left = Math.max(0, expirationMs - nowMs);
  return Math.max(100, Math.min(left / 4, 1000 * 2 ** Math.min(failuresInARow, 5)));
}
