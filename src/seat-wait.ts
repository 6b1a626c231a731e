import { ActionFailure, AwsFailure } from './failure.js';

export interface WaitProgress {
  attempt: number;
  elapsedMs: number;
  nextInMs: number;
  reason: string;
}

export interface SeatWaitOptions<T> {
  /** One checkout attempt; `n` counts definite refusals so far and keys the ClientToken. */
  attempt(n: number): Promise<T>;
  timeoutMs: number;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random?: () => number;
  onWait(progress: WaitProgress): void;
  signal?: AbortSignal;
  baseMs?: number;
  capMs?: number;
}

export class Cancelled extends ActionFailure {}

const THROTTLED = new Set(['RateLimitExceededException', 'ThrottlingException']);

/** "No seat yet" is only NoEntitlementsAllowed or throttling; anything else ends the wait at once. */
export function meansNoSeatYet(error: unknown): error is AwsFailure {
  return error instanceof AwsFailure && (error.kind === 'not-entitled' || THROTTLED.has(error.code));
}

/**
 * Retries a refused checkout with capped exponential backoff and full jitter until the timeout,
 * so a matrix of waiters spreads its calls out and grabs a seat soon after one frees.
 */
export async function waitForSeat<T>(o: SeatWaitOptions<T>): Promise<{ value: T; waitedMs: number; attempts: number }> {
  const started = o.now();
  const random = o.random ?? Math.random;
  const base = o.baseMs ?? 1_000;
  const cap = o.capMs ?? 30_000;
  for (let n = 0; ; n++) {
    if (o.signal?.aborted) throw new Cancelled(`Cancelled while waiting for a seat, after ${seconds(o.now() - started)}.`);
    try {
      return { value: await o.attempt(n), waitedMs: o.now() - started, attempts: n + 1 };
    } catch (error) {
      if (!meansNoSeatYet(error) || o.timeoutMs <= 0) throw error;
      const elapsed = o.now() - started;
      const left = o.timeoutMs - elapsed;
      if (left <= 0) {
        throw new ActionFailure(`No seat after waiting ${seconds(elapsed)} (wait-timeout ${seconds(o.timeoutMs)}, ${n + 1} attempts); last answer: ${error.code}.`);
      }
      const delay = Math.min(left, Math.max(50, Math.floor(random() * Math.min(cap, base * 2 ** n))));
      o.onWait({ attempt: n + 1, elapsedMs: elapsed, nextInMs: delay, reason: error.code });
      await o.sleep(delay, o.signal);
    }
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
