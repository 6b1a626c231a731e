import { ActionFailure, AwsFailure } from './failure.js';

export interface WaitProgress {
  attempt: number;
  elapsedMs: number;
  nextInMs: number;
  reason: string;
}

export interface SeatWaitOptions<T> {
  /** One checkout attempt; `n` counts definite refusals so far (not throttled attempts) and keys the ClientToken. */
  attempt(n: number): Promise<T>;
  timeoutMs: number;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random?: () => number;
  onWait(progress: WaitProgress): void;
  signal?: AbortSignal;
  baseMs?: number;
  /** Default: capForTimeout(timeoutMs). */
  capMs?: number;
}

export class Cancelled extends ActionFailure {}

const THROTTLED = new Set(['RateLimitExceededException', 'ThrottlingException']);

/** "No seat yet" is only NoEntitlementsAllowed or throttling; anything else ends the wait at once. */
export function meansNoSeatYet(error: unknown): error is AwsFailure {
  return error instanceof AwsFailure && (error.kind === 'not-entitled' || THROTTLED.has(error.code));
}

const MIN_CAP_MS = 4_000;
const MAX_CAP_MS = 30_000;
const CAP_DIVISOR = 100;

/**
 * The longest sleep between attempts, tied to the wait-timeout: a 100th of it, within 4–30 s.
 * A seat freed while N jobs wait is taken after about cap/(2N) on average, so the cap is what a
 * fleet pays in idle seats; each waiter makes about 2/cap calls a second in steady state, so it is
 * also what AWS sees. Tying it to the timeout bounds the calls of one wait (about 200 for any
 * timeout from 6.7 to 50 minutes) and keeps short waits responsive, while the 4 s floor holds one
 * waiter to ~30 CheckoutLicense calls a minute (a 10m wait-timeout: cap 6 s, ~20 calls a minute).
 * A 75th (8 s for 10m) left the 40-job matrix bench at 1.09–1.10× the ideal makespan.
 */
export function capForTimeout(timeoutMs: number): number {
  return Math.min(MAX_CAP_MS, Math.max(MIN_CAP_MS, Math.floor(timeoutMs / CAP_DIVISOR)));
}

/**
 * Retries a refused checkout with capped exponential backoff and full jitter until the timeout,
 * so a matrix of waiters spreads its calls out and grabs a seat soon after one frees.
 */
export async function waitForSeat<T>(o: SeatWaitOptions<T>): Promise<{ value: T; waitedMs: number; attempts: number }> {
  const started = o.now();
  const random = o.random ?? Math.random;
  const base = o.baseMs ?? 1_000;
  const cap = o.capMs ?? capForTimeout(o.timeoutMs);
  // Only a definite refusal moves the ClientToken on: a throttled attempt may have been carried out
  // with its answer lost, and its repeat must replay it rather than take a second seat.
  let refusals = 0;
  for (let n = 0; ; n++) {
    const cancelled = () => new Cancelled(`Cancelled while waiting for a seat, after ${seconds(o.now() - started)}.`);
    if (o.signal?.aborted) throw cancelled();
    try {
      return { value: await o.attempt(refusals), waitedMs: o.now() - started, attempts: n + 1 };
    } catch (error) {
      if (o.signal?.aborted) throw cancelled();
      if (!meansNoSeatYet(error) || o.timeoutMs <= 0) throw error;
      if (error.kind === 'not-entitled') refusals++;
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
