import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetLicenseCommand } from '@aws-sdk/client-license-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseArgs } from '../../emulator/cli-args.js';
import { parseRateLimit, RateLimiter } from '../../emulator/rate-limits.js';
import { createTestLicense, expectAwsError, licenseManagerClient, stsClient, withEmulator } from '../support/emulator.js';

describe('rate limits', () => {
  test('parsing: OPERATION=N and *=N; errors name what is wrong', () => {
    assert.deepEqual(parseRateLimit('CheckoutLicense=5'), ['CheckoutLicense', 5]);
    assert.deepEqual(parseRateLimit('*=0.5'), ['*', 0.5]);
    assert.throws(() => parseRateLimit('checkout=5'), /expected OPERATION=N/);
    assert.throws(() => parseRateLimit('CheckoutLicense=0'), /positive number/);
    assert.deepEqual(parseArgs(['--rate-limit', 'CheckoutLicense=5', '--rate-limit', '*=10']).rateLimits, { CheckoutLicense: 5, '*': 10 });
    assert.throws(() => parseArgs(['--rate-limit', 'x']), /--rate-limit: expected OPERATION=N/);
  });

  test('a token bucket per account and operation, a burst of N refilled at N per second; * is shared by every operation', () => {
    const limiter = new RateLimiter({ CheckoutLicense: 2, '*': 3 }, 1_000);
    const t = 1_000_000;
    assert.deepEqual([1, 2, 3].map(() => limiter.take('a', 'CheckoutLicense', t)), [true, true, false], 'the operation\'s burst');
    assert.equal(limiter.take('a', 'GetLicense', t), true, 'the third token of the account-wide bucket');
    assert.equal(limiter.take('a', 'GetLicense', t), false, 'the account-wide bucket is empty');
    assert.equal(limiter.take('b', 'CheckoutLicense', t), true, 'another account has buckets of its own');
    assert.equal(limiter.take('a', 'CheckoutLicense', t + 500), true, 'half a second refills one token of 2/s (and 1.5 of 3/s)');
    assert.equal(limiter.take('a', 'CheckoutLicense', t + 500), false);
    const slow = new RateLimiter({ CheckInLicense: 0.5 }, 1_000);
    assert.equal(slow.take('a', 'CheckInLicense', t), true, 'a rate under one a second still admits one now');
    assert.equal(slow.take('a', 'CheckInLicense', t + 1_000), false);
    assert.equal(slow.take('a', 'CheckInLicense', t + 2_000), true, 'and one every two seconds');
  });

  test('over the limit, License Manager answers RateLimitExceededException (400) before the operation; STS is not limited', async () => {
    await withEmulator({ rateLimits: { GetLicense: 2 } }, async (emu) => {
      const lic = await createTestLicense(emu);
      const lm = licenseManagerClient(emu, undefined, { maxAttempts: 1 });
      await lm.send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
      await lm.send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
      await expectAwsError(lm.send(new GetLicenseCommand({ LicenseArn: lic.licenseArn })), 'RateLimitExceededException', { status: 400 });
      for (let i = 0; i < 5; i++) await stsClient(emu).send(new GetCallerIdentityCommand({}));
      const op = emu.stats().requests.byOperation.GetLicense;
      assert.equal(op?.rateLimited, 1);
      assert.equal(op?.faulted, 0, 'a rate limit is not an injected fault');
    });
  });
});
