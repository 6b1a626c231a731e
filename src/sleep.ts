/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days); longer ones fire at once with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout as a promise that an AbortSignal cuts short (resolving, so callers re-check the signal).
 * A delay beyond what a timer holds is slept in turns.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const until = Date.now() + ms;
    let timer = setTimeout(tick, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', done, { once: true });
    function tick() {
      const left = until - Date.now();
      if (left > 0) timer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
      else done();
    }
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
