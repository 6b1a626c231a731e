import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ActionFailure, AwsFailure } from '../../src/failure.js';
import { Cancelled, capForTimeout, meansNoSeatYet, seconds, waitForSeat, type WaitProgress } from '../../src/seat-wait.js';
import { noEntitlements, throttled, VirtualClock } from './fakes.js';

/** An attempt that is refused `refusals` times, then granted; records the attempt numbers. */
function refusedThenGranted(refusals: number, error: () => Error = () => noEntitlements()) {
  const seen: number[] = [];
  return {
    seen,
    attempt: async (n: number) => {
      seen.push(n);
      if (seen.length <= refusals) throw error();
      return `seat-${n}`;
    },
  };
}

describe('waitForSeat', () => {
  test('granted at once: no wait, one attempt', async () => {
    const clock = new VirtualClock();
    const a = refusedThenGranted(0);
    const r = await waitForSeat({ attempt: a.attempt, timeoutMs: 60_000, now: clock.now, sleep: clock.sleep, onWait: () => assert.fail('no wait expected') });
    assert.deepEqual(r, { value: 'seat-0', waitedMs: 0, attempts: 1 });
    assert.deepEqual(clock.sleeps, []);
  });

  test('granted after N refusals: attempts numbered 0..N, waited time is the virtual time slept', async () => {
    const clock = new VirtualClock();
    const a = refusedThenGranted(4);
    const progress: WaitProgress[] = [];
    const r = await waitForSeat({ attempt: a.attempt, timeoutMs: 15 * 60_000, now: clock.now, sleep: clock.sleep, random: () => 0.5, onWait: (p) => progress.push(p) });
    assert.equal(r.value, 'seat-4');
    assert.equal(r.attempts, 5);
    assert.deepEqual(a.seen, [0, 1, 2, 3, 4]);
    // base 1 s, doubled each time (cap 9 s for 15 minutes), half of it with random 0.5
    assert.deepEqual(clock.sleeps, [500, 1000, 2000, 4000]);
    assert.equal(r.waitedMs, 7500);
    assert.deepEqual(
      progress.map((p) => [p.attempt, p.elapsedMs, p.nextInMs, p.reason]),
      [
        [1, 0, 500, 'NoEntitlementsAllowedException'],
        [2, 500, 1000, 'NoEntitlementsAllowedException'],
        [3, 1500, 2000, 'NoEntitlementsAllowedException'],
        [4, 3500, 4000, 'NoEntitlementsAllowedException'],
      ],
    );
  });

  test('timeout: fails with how long it waited, the timeout, the attempts and the last answer', async () => {
    const clock = new VirtualClock();
    const a = refusedThenGranted(Infinity);
    await assert.rejects(
      waitForSeat({ attempt: a.attempt, timeoutMs: 90_000, now: clock.now, sleep: clock.sleep, random: () => 0.999, onWait: () => undefined }),
      (e: unknown) => {
        assert.ok(e instanceof ActionFailure);
        assert.ok(!(e instanceof AwsFailure));
        assert.match(e.message, new RegExp(`^No seat after waiting 90\\.0s \\(wait-timeout 90\\.0s, ${a.seen.length} attempts\\); last answer: NoEntitlementsAllowedException\\.$`));
        return true;
      },
    );
    // The last sleep is cut to the deadline, and one last attempt is made at the deadline.
    assert.equal(clock.sleeps.reduce((s, x) => s + x, 0), 90_000);
    assert.equal(a.seen.length, clock.sleeps.length + 1);
  });

  test('wait-timeout 0: the first refusal is final and is the AWS failure itself', async () => {
    const clock = new VirtualClock();
    const refusal = noEntitlements();
    await assert.rejects(
      waitForSeat({ attempt: async () => Promise.reject(refusal), timeoutMs: 0, now: clock.now, sleep: clock.sleep, onWait: () => assert.fail('no wait') }),
      (e: unknown) => e === refusal,
    );
    assert.deepEqual(clock.sleeps, []);
  });

  test('throttling is waited out too', async () => {
    const clock = new VirtualClock();
    const a = refusedThenGranted(2, () => throttled());
    const reasons: string[] = [];
    const r = await waitForSeat({ attempt: a.attempt, timeoutMs: 60_000, now: clock.now, sleep: clock.sleep, onWait: (p) => reasons.push(p.reason) });
    assert.equal(r.attempts, 3);
    assert.deepEqual(reasons, ['RateLimitExceededException', 'RateLimitExceededException']);
  });

  test('only not-entitled and throttling are retried; anything else ends the wait at once', async () => {
    const others: Error[] = [
      new AwsFailure('denied', 'CheckoutLicense', 'AccessDeniedException', 'no'),
      new AwsFailure('unavailable', 'CheckoutLicense', 'ServerInternalException', 'boom'),
      new AwsFailure('misconfigured', 'CheckoutLicense', 'ValidationException', 'bad'),
      new AwsFailure('no-credentials', 'CheckoutLicense', 'CredentialsProviderError', 'none'),
      new Error('plain'),
    ];
    for (const error of others) {
      const clock = new VirtualClock();
      let calls = 0;
      await assert.rejects(
        waitForSeat({
          attempt: async () => {
            calls++;
            throw error;
          },
          timeoutMs: 60_000,
          now: clock.now,
          sleep: clock.sleep,
          onWait: () => assert.fail('no wait'),
        }),
        (e: unknown) => e === error,
      );
      assert.equal(calls, 1, error.message);
    }
  });

  test('meansNoSeatYet', () => {
    assert.equal(meansNoSeatYet(noEntitlements()), true);
    assert.equal(meansNoSeatYet(new AwsFailure('not-entitled', 'CheckoutBorrowLicense', 'EntitlementNotAllowedException', 'x')), true);
    assert.equal(meansNoSeatYet(new AwsFailure('unavailable', 'X', 'ThrottlingException', 'x')), true);
    assert.equal(meansNoSeatYet(new AwsFailure('unavailable', 'X', 'ServerInternalException', 'x')), false);
    assert.equal(meansNoSeatYet({ kind: 'not-entitled', code: 'NoEntitlementsAllowedException' }), false);
  });

  test('cancellation while sleeping stops at once with Cancelled and the elapsed time', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    clock.afterSleep.push((n) => {
      if (n === 3) controller.abort('SIGINT');
    });
    const a = refusedThenGranted(Infinity);
    await assert.rejects(
      waitForSeat({ attempt: a.attempt, timeoutMs: 600_000, now: clock.now, sleep: clock.sleep, random: () => 0.5, signal: controller.signal, onWait: () => undefined }),
      (e: unknown) => {
        assert.ok(e instanceof Cancelled);
        assert.ok(e instanceof ActionFailure);
        assert.equal(e.message, 'Cancelled while waiting for a seat, after 3.5s.');
        return true;
      },
    );
    assert.equal(a.seen.length, 3, 'no attempt after the cancel');
  });

  test('the sleep is given the signal, so a real sleep can be cut short', async () => {
    const controller = new AbortController();
    const signals: Array<AbortSignal | undefined> = [];
    const clock = new VirtualClock();
    const a = refusedThenGranted(1);
    await waitForSeat({
      attempt: a.attempt,
      timeoutMs: 60_000,
      now: clock.now,
      sleep: async (ms, signal) => {
        signals.push(signal);
        await clock.sleep(ms);
      },
      signal: controller.signal,
      onWait: () => undefined,
    });
    assert.deepEqual(signals, [controller.signal]);
  });

  test('already cancelled: no attempt at all', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    controller.abort();
    const a = refusedThenGranted(0);
    await assert.rejects(waitForSeat({ attempt: a.attempt, timeoutMs: 0, now: clock.now, sleep: clock.sleep, signal: controller.signal, onWait: () => undefined }), Cancelled);
    assert.deepEqual(a.seen, []);
  });

  test('property: delays are jittered within [50 ms, min(cap, base * 2^n)] and never past the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 100, max: 5_000 }),
        fc.integer({ min: 1_000, max: 60_000 }),
        async (draws, timeoutMs, baseMs, capMs) => {
          const clock = new VirtualClock();
          let i = 0;
          const random = () => draws[i++ % draws.length] ?? 0;
          const progress: WaitProgress[] = [];
          const started = clock.now();
          await waitForSeat({ attempt: async () => Promise.reject(noEntitlements()), timeoutMs, now: clock.now, sleep: clock.sleep, random, baseMs, capMs, onWait: (p) => progress.push(p) }).then(
            () => assert.fail('never granted'),
            (e: unknown) => assert.ok(e instanceof ActionFailure && /^No seat after waiting/.test(e.message)),
          );
          assert.equal(clock.now() - started, timeoutMs, 'ends exactly at the deadline');
          progress.forEach((p, n) => {
            const left = timeoutMs - p.elapsedMs;
            const upper = Math.min(capMs, baseMs * 2 ** n);
            assert.ok(p.nextInMs <= left, 'not past the deadline');
            assert.ok(p.nextInMs === left || (p.nextInMs >= 50 && p.nextInMs <= upper), `delay ${p.nextInMs} for n=${n} (upper ${upper}, left ${left})`);
            assert.equal(clock.sleeps[n], p.nextInMs, 'the announced delay is the one slept');
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  test('delays spread out with a real random source (full jitter, not a fixed schedule)', async () => {
    const firstDelays = new Set<number>();
    for (let k = 0; k < 20; k++) {
      const clock = new VirtualClock();
      const a = refusedThenGranted(5);
      await waitForSeat({ attempt: a.attempt, timeoutMs: 600_000, now: clock.now, sleep: clock.sleep, onWait: () => undefined });
      firstDelays.add(clock.sleeps[4] ?? -1);
    }
    assert.ok(firstDelays.size > 5);
  });

  test('only definite refusals move the attempt key on: throttled attempts repeat theirs; a cancel during an attempt is a Cancelled', async () => {
    const clock = new VirtualClock();
    const answers = [throttled(), throttled(), noEntitlements(), throttled()];
    const keys: number[] = [];
    await waitForSeat({
      attempt: async (n) => {
        keys.push(n);
        const a = answers.shift();
        if (a) throw a;
        return 'seat';
      },
      timeoutMs: 600_000,
      now: clock.now,
      sleep: clock.sleep,
      onWait: () => undefined,
    });
    assert.deepEqual(keys, [0, 0, 0, 1, 1]);
    const controller = new AbortController();
    await assert.rejects(
      waitForSeat({
        attempt: async () => {
          controller.abort();
          throw new AwsFailure('unavailable', 'CheckoutLicense', 'AbortError', 'aborted');
        },
        timeoutMs: 600_000,
        now: clock.now,
        sleep: clock.sleep,
        signal: controller.signal,
        onWait: () => undefined,
      }),
      Cancelled,
    );
  });

  test('the backoff cap is a 100th of the wait-timeout, within 4–30 s', () => {
    assert.equal(capForTimeout(10 * 60_000), 6_000);
    assert.equal(capForTimeout(60_000), 4_000, 'short waits: the floor that bounds calls per minute');
    assert.equal(capForTimeout(6 * 60 * 60_000), 30_000, 'long waits: never more than 30 s between calls');
  });

  test('seconds()', () => {
    assert.equal(seconds(0), '0.0s');
    assert.equal(seconds(1234), '1.2s');
    assert.equal(seconds(90_000), '90.0s');
  });
});
