import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsRenewal } from '../../src/aws/license-token.js';
import { AwsFailure } from '../../src/failure.js';
import { runKeepalive } from '../../src/keepalive/daemon.js';
import { nextExtensionDelay, retryDelay } from '../../src/keepalive/schedule.js';
import type { KeepaliveStatus } from '../../src/keepalive/status-file.js';
import { VirtualClock } from './fakes.js';

const MIN = 60_000;

describe('keepalive schedule', () => {
  test('extends between 50% and 70% of the time left, whatever the jitter', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const d = nextExtensionDelay(0, 60 * MIN, () => r);
      assert.ok(d >= 30 * MIN && d <= 42 * MIN, `${d}`);
    }
    assert.notEqual(nextExtensionDelay(0, 60 * MIN, () => 0), nextExtensionDelay(0, 60 * MIN, () => 0.9), 'jittered');
  });
  test('retries back off but always leave time before the expiry', () => {
    assert.ok(retryDelay(0, 60 * MIN, 1) < retryDelay(0, 60 * MIN, 3));
    for (let n = 0; n < 10; n++) assert.ok(retryDelay(0, 8_000, n) <= 2_000, 'at most a quarter of what is left');
    assert.equal(retryDelay(10_000, 5_000, 1), 100, 'already past: try at once');
  });
});

describe('license-token credentials renewal', () => {
  const creds = (expiresAt: number) => ({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(expiresAt) });
  test('renews when a quarter of the lifetime (at most 5 minutes) is left', () => {
    assert.equal(needsRenewal(creds(60 * MIN), 0, 50 * MIN), false);
    assert.equal(needsRenewal(creds(60 * MIN), 0, 55 * MIN), true, '5 minutes left of an hour');
    assert.equal(needsRenewal(creds(8_000), 0, 5_000), false, 'short sessions: a quarter');
    assert.equal(needsRenewal(creds(8_000), 0, 6_000), true);
    assert.equal(needsRenewal({ accessKeyId: 'a', secretAccessKey: 'b' }, 0, 1e12), false, 'no expiry, no renewal');
  });
});

function world(
  extend: (token: string, n: number) => Promise<{ consumptionToken: string; expiration?: string }>,
  licenseEnded?: () => Promise<string | undefined>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'ka-'));
  const statusPath = join(dir, 'keepalive.json');
  writeFileSync(statusPath, '{}');
  const clock = new VirtualClock();
  const saved: KeepaliveStatus[] = [];
  const logs: string[] = [];
  let calls = 0;
  const controller = new AbortController();
  const status: KeepaliveStatus = {
    v: 1,
    region: 'us-east-1',
    consumptionToken: 'tok-0',
    expiration: new Date(clock.now() + 10 * MIN).toISOString(),
    extensions: 0,
    failures: [],
    state: 'starting',
    startedAt: '',
    updatedAt: '',
    maxLifetimeMs: 6 * 60 * MIN,
  };
  const run = () =>
    runKeepalive({
      statusPath,
      status,
      extend: (t: string) => extend(t, ++calls),
      ...(licenseEnded ? { licenseEnded } : {}),
      save: async (s) => void saved.push(structuredClone(s)),
      now: clock.now,
      sleep: clock.sleep,
      log: (l) => logs.push(l),
      signal: controller.signal,
      random: () => 0.5,
    });
  return { dir, statusPath, clock, saved, logs, controller, run, calls: () => calls, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('keepalive daemon', () => {
  test('extends from each new Expiration, keeps the newest token, stops when told', async () => {
    const w = world(async (_t, n) => {
      if (n === 4) w.controller.abort();
      return { consumptionToken: `tok-${n}`, expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.equal(end.extensions, 4);
    assert.equal(end.consumptionToken, 'tok-4');
    assert.deepEqual(w.clock.sleeps.slice(0, 3), [6 * MIN, 6 * MIN, 6 * MIN], '60% of the 10 minutes left');
    assert.equal(w.saved.at(-1)?.consumptionToken, 'tok-4');
    assert.ok(!w.logs.join('\n').includes('tok-'), 'no token in the log');
    w.cleanup();
  });

  test('a refused token (checked in or expired) ends it', async () => {
    const w = world(async () => {
      throw new AwsFailure('not-found', 'ExtendLicenseConsumption', 'ResourceNotFoundException', 'gone');
    });
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.match(end.endedBecause ?? '', /refused/);
    w.cleanup();
  });

  test('an extension refused because the license itself ended: ends at once, says so, and when the seat returns', async () => {
    let asked = 0;
    const w = world(
      async () => {
        throw new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'License is SUSPENDED');
      },
      async () => (++asked, 'the license status is SUSPENDED, not AVAILABLE'),
    );
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.equal(end.licenseEnded, 'the license status is SUSPENDED, not AVAILABLE');
    assert.match(end.endedBecause ?? '', /^the license itself ended: the license status is SUSPENDED, not AVAILABLE \(ValidationException on extension\); the seat returns by itself at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ unless the post step checks it in$/);
    assert.equal(w.calls(), 1, 'no retries against an ended license');
    assert.equal(asked, 1);
    assert.ok(w.logs.some((l) => l.includes('keepalive exiting: the license itself ended')));
    w.cleanup();
  });

  test('a refused extension of a license that is still fine is retried; throttling does not even ask', async () => {
    let asked = 0;
    const w = world(
      async (_t, n) => {
        if (n === 1) throw new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'odd');
        if (n === 2) throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'RateLimitExceededException', 'slow down');
        w.controller.abort();
        return { consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
      },
      async () => (++asked, undefined),
    );
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.equal(end.extensions, 1);
    assert.equal(asked, 1, 'GetLicense only after the definite refusal');
    assert.equal(end.licenseEnded, undefined);
    w.cleanup();
  });

  test('throttling is retried well before the expiry and recorded as a failure', async () => {
    const w = world(async (_t, n) => {
      if (n <= 2) throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'RateLimitExceededException', 'slow down');
      if (n === 3) w.controller.abort();
      return { consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.extensions, 1);
    assert.equal(end.failures.length, 2);
    assert.match(end.failures[0]!, /RateLimitExceededException/);
    assert.ok(w.clock.sleeps[1]! < MIN, 'the retry came quickly');
    w.cleanup();
  });

  test('keeps the expiry to the millisecond: a retry half a second before it is still a retry', async () => {
    let expiresAt = 0;
    const w = world(async (_t, n) => {
      if (n === 1) {
        expiresAt = w.clock.now() + 10 * MIN + 900; // AWS answers with milliseconds
        return { consumptionToken: 'tok-1', expiration: new Date(expiresAt).toISOString() };
      }
      if (n === 2) {
        w.clock.t = expiresAt - 500;
        throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'ServerInternalException', 'down');
      }
      w.controller.abort();
      return { consumptionToken: 'tok-3', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.state, 'stopped', `not given up for an expiry rounded down to the second: ${end.endedBecause}`);
    assert.equal(w.calls(), 3);
    w.cleanup();
  });

  test('gives up when the consumption expired before an extension got through', async () => {
    const w = world(async () => {
      w.clock.t += 5 * MIN;
      throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'ServerInternalException', 'down');
    });
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.match(end.endedBecause ?? '', /expired before it could be extended/);
    w.cleanup();
  });

  test('stops when its status file is gone (the runner cleaned RUNNER_TEMP) or after its lifetime', async () => {
    const w = world(async () => ({ consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() }));
    w.clock.afterSleep.push((n) => n === 3 && rmSync(w.statusPath));
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.match(end.endedBecause ?? '', /status file removed/);
    assert.equal(w.calls(), 2);
    w.cleanup();

    const old = world(async () => ({ consumptionToken: 'tok-0', expiration: new Date(old.clock.now() + 10 * MIN).toISOString() }));
    old.clock.afterSleep.push(() => void (old.clock.t += 3 * 60 * MIN));
    const aged = await old.run();
    assert.equal(aged.state, 'lifetime');
    old.cleanup();
  });
});
