import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetLicenseUsageCommand } from '@aws-sdk/client-license-manager';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { FaultInjector, parseFaults } from '../../emulator/faults.js';
import { checkoutSeat, createTestLicense, expectAwsError, kmsClient, licenseManagerClient, seatUsage, stsClient, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const once = () => licenseManagerClient(h.emu, undefined, { maxAttempts: 1 });
const usage = (licenseArn: string) => once().send(new GetLicenseUsageCommand({ LicenseArn: licenseArn }));

describe('fault spec', () => {
  test('parses every knob', () => {
    assert.deepEqual(parseFaults('throttle=0.3,server-error=0.1,reset=0.05,latency-ms=40,seed=7'), {
      throttle: 0.3, serverError: 0.1, reset: 0.05, latencyMs: 40, seed: 7,
    });
    assert.deepEqual(parseFaults(''), {});
  });

  test('after-faults: parsed, bounded, and drawn only when set (other seeded sequences unchanged)', () => {
    assert.deepEqual(parseFaults('server-error-after=0.2,reset-after=0.1,seed=3'), { serverErrorAfter: 0.2, resetAfter: 0.1, seed: 3 });
    assert.throws(() => parseFaults('server-error-after=0.7,reset-after=0.4'), /server-error-after \+ reset-after must not exceed 1/);
    const plain = new FaultInjector('throttle=0.3,seed=42');
    const mixed = new FaultInjector('throttle=0.3,seed=42');
    const a = Array.from({ length: 20 }, () => [plain.draw(), plain.drawAfter()]);
    const b = Array.from({ length: 20 }, () => [mixed.draw(), mixed.drawAfter()]);
    assert.deepEqual(a, b);
    assert.ok(a.every(([, after]) => after === undefined));
    const lossy = new FaultInjector('server-error-after=0.5,reset-after=0.25,seed=1');
    const draws = new Set(Array.from({ length: 60 }, () => lossy.drawAfter() ?? '-'));
    assert.deepEqual([...draws].sort(), ['-', 'reset-after', 'server-error-after']);
  });

  test('errors name the knob', () => {
    assert.throws(() => parseFaults('throttel=0.3'), /unknown fault 'throttel'/);
    assert.throws(() => parseFaults('throttle=lots'), /fault 'throttle' needs a number/);
    assert.throws(() => parseFaults('throttle=1.5'), /'throttle' must be a probability/);
    assert.throws(() => parseFaults('throttle=0.6,reset=0.6'), /must not exceed 1/);
    assert.throws(() => parseFaults('seed=1.5'), /'seed' must be an integer/);
    assert.throws(() => parseFaults('latency-ms=-1'), /'latency-ms' must be >= 0/);
  });

  test('the same seed gives the same sequence', () => {
    const draws = () => {
      const f = new FaultInjector('throttle=0.3,server-error=0.2,reset=0.1,seed=42');
      return Array.from({ length: 50 }, () => f.draw() ?? '-');
    };
    const a = draws();
    assert.deepEqual(a, draws());
    assert.ok(new Set(a).size === 4, 'every outcome appears');
  });
});

describe('injected faults', () => {
  test('throttle: RateLimitExceededException with HTTP 400, as the API reference gives it, before the operation runs (nothing consumed)', async () => {
    const lic = await createTestLicense(h.emu, { seats: 1 });
    h.emu.setFaults('throttle=1');
    try {
      await expectAwsError(checkoutSeat(h.emu, lic, { ClientToken: 'throttled-once' }, { maxAttempts: 1 }), 'RateLimitExceededException', { status: 400 });
      // Why the action classifies it itself: the SDK's standard retry does not see a 400 RateLimitExceededException as throttling.
      const plain = await expectAwsError(checkoutSeat(h.emu, lic, { ClientToken: 'throttled-plain' }, { maxAttempts: 3 }), 'RateLimitExceededException');
      assert.equal(plain.$metadata.attempts, 1, 'a plain SDK client gives up on the first answer');
    } finally {
      h.emu.setFaults(undefined);
    }
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
    const op = h.emu.stats().requests.byOperation.CheckoutLicense;
    assert.ok((op?.throttled ?? 0) >= 1 && (op?.faulted ?? 0) >= 1);
    assert.equal(h.emu.stats().events.filter((e) => e.type === 'checkout' && e.clientToken === 'throttled-once').length, 0);
  });

  test('throttleStatus 429 keeps the Smithy model\'s status for comparison; a plain SDK client then retries it', async () => {
    await withEmulator({ throttleStatus: 429, faults: 'throttle=1' }, async (emu) => {
      const lic = { productSku: 'any', keyFingerprint: `aws:${emu.accountId}:x:issuer-fingerprint` };
      const e = await expectAwsError(checkoutSeat(emu, lic, {}, { maxAttempts: 2 }), 'RateLimitExceededException', { status: 429 });
      assert.equal(e.$metadata.attempts, 2);
    });
  });

  test('server-error: 500 ServerInternalException; KMS and STS use their own names', async () => {
    const lic = await createTestLicense(h.emu);
    h.emu.setFaults({ serverError: 1 });
    try {
      await expectAwsError(usage(lic.licenseArn), 'ServerInternalException', { status: 500 });
      await expectAwsError(kmsClient(h.emu, undefined, { maxAttempts: 1 }).send(new DescribeKeyCommand({ KeyId: 'x' })), 'KMSInternalException', { status: 500 });
      await expectAwsError(stsClient(h.emu, undefined, { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})), 'InternalFailure', { status: 500 });
      h.emu.setFaults({ throttle: 1 });
      await expectAwsError(kmsClient(h.emu, undefined, { maxAttempts: 1 }).send(new DescribeKeyCommand({ KeyId: 'x' })), 'ThrottlingException', { status: 400 });
      await expectAwsError(stsClient(h.emu, undefined, { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})), 'Throttling', { status: 400 });
    } finally {
      h.emu.setFaults(undefined);
    }
  });

  test('server-error-after: the checkout is carried out, its answer replaced by a 500; the retry with the same ClientToken replays it', async () => {
    const lic = await createTestLicense(h.emu, { seats: 3 });
    h.emu.setFaults('server-error-after=1');
    try {
      await expectAwsError(checkoutSeat(h.emu, lic, { ClientToken: 'lost-once' }, { maxAttempts: 1 }), 'ServerInternalException', { status: 500 });
    } finally {
      h.emu.setFaults(undefined);
    }
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 }, 'the effect stayed');
    const again = await checkoutSeat(h.emu, lic, { ClientToken: 'lost-once' });
    assert.ok(again.LicenseConsumptionToken);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 }, 'the replay consumed nothing more');
    assert.ok((h.emu.stats().requests.byOperation.CheckoutLicense?.answersLost ?? 0) >= 1);
    // A new ClientToken on the retry (the bug the action must never have) would take a second seat.
    await checkoutSeat(h.emu, lic, { ClientToken: 'lost-once-rewritten' });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 2 });
  });

  test('reset-after: the connection drops after the operation ran', async () => {
    const lic = await createTestLicense(h.emu, { seats: 3 });
    h.emu.setFaults('reset-after=1');
    try {
      await assert.rejects(checkoutSeat(h.emu, lic, {}, { maxAttempts: 1 }), (e: Error & { code?: string }) => /ECONNRESET|socket hang up|EPIPE/.test(`${e.code ?? ''} ${e.message}`));
    } finally {
      h.emu.setFaults(undefined);
    }
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });

  test('reset: the connection drops before any response', async () => {
    const lic = await createTestLicense(h.emu);
    h.emu.setFaults('reset=1');
    try {
      await assert.rejects(usage(lic.licenseArn), (e: Error & { code?: string }) => /ECONNRESET|socket hang up|EPIPE/.test(`${e.code ?? ''} ${e.message}`));
    } finally {
      h.emu.setFaults(undefined);
    }
    assert.ok((h.emu.stats().requests.byOperation.GetLicenseUsage?.resets ?? 0) >= 1);
  });

  test('latency delays every answer', async () => {
    const lic = await createTestLicense(h.emu);
    h.emu.setFaults('latency-ms=150');
    try {
      const started = Date.now();
      await usage(lic.licenseArn);
      assert.ok(Date.now() - started >= 150);
    } finally {
      h.emu.setFaults(undefined);
    }
  });

  test('with a seed the SDK retries through throttling and a seat is taken exactly once', async () => {
    const lic = await createTestLicense(h.emu, { seats: 3 });
    const before = h.emu.stats().requests.byOperation.CheckoutLicense?.faulted ?? 0;
    h.emu.setFaults('throttle=0.5,server-error=0.2,seed=11');
    let out;
    try {
      out = await checkoutSeat(h.emu, lic, { ClientToken: 'retry-through-faults' }, { maxAttempts: 10 });
    } finally {
      h.emu.setFaults(undefined);
    }
    assert.ok(out.$metadata.attempts && out.$metadata.attempts > 1, 'the seed makes the first attempt fail');
    assert.equal((h.emu.stats().requests.byOperation.CheckoutLicense?.faulted ?? 0) - before, (out.$metadata.attempts ?? 0) - 1);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });
});
