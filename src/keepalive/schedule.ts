/**
 * When to extend next: a random point between 50% and 70% of the time left, so at least 30% of
 * the TTL remains for retries, and a fleet of keepalives does not call in step.
 */
export function nextExtensionDelay(nowMs: number, expirationMs: number, random: () => number = Math.random): number {
  const left = Math.max(0, expirationMs - nowMs);
  return Math.max(100, Math.floor(left * (0.5 + 0.2 * random())));
}

/** After a failed extension: try again soon, well before the consumption lapses. */
export function retryDelay(nowMs: number, expirationMs: number, failuresInARow: number): number {
  const left = Math.max(0, expirationMs - nowMs);
  return Math.max(100, Math.min(left / 4, 1000 * 2 ** Math.min(failuresInARow, 5)));
}
