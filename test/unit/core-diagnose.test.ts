import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LicenseDetails } from '../../src/aws/license-manager.js';
import { diagnoseRefusal, type RefusalContext } from '../../src/diagnose.js';
import { parseEntitlements } from '../../src/entitlements.js';

const NOW = new Date('2025-03-01T12:00:00Z');

function license(extra: Partial<LicenseDetails> = {}): LicenseDetails {
  return {
    licenseArn: 'arn:aws:license-manager::111122223333:license:l-1',
    productSku: 'SKU-1',
    issuerName: 'Example ISV',
    keyFingerprint: 'aws:111122223333:Example ISV:issuer-fingerprint',
    status: 'AVAILABLE',
    validityBegin: '2025-01-01T00:00:00',
    validityEnd: '2026-01-01T00:00:00',
    entitlements: [
      { name: 'Seats', unit: 'Count', maxCount: 3 },
      { name: 'Storage', unit: 'Gigabytes', maxCount: 100 },
    ],
    provisionalTtlMinutes: 60,
    ...extra,
  };
}

function ctx(extra: Partial<RefusalContext> = {}): RefusalContext {
  return { license: license(), usage: [], asked: parseEntitlements('Seats = 1'), checkoutType: 'PROVISIONAL', mode: 'checkout', now: NOW, ...extra };
}

describe('diagnoseRefusal', () => {
  test('no license read: no reasons', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ license: undefined })), []);
  });

  test('a license able to grant: no reasons', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ usage: [{ name: 'Seats', consumed: 2, maxCount: 3, unit: 'Count' }] })), []);
  });

  test('status other than AVAILABLE', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ license: license({ status: 'SUSPENDED' }) })), ['the license status is SUSPENDED, not AVAILABLE']);
  });

  test('expired, and not yet valid (zone-less times are UTC)', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ license: license({ validityEnd: '2025-02-01T00:00:00' }) })), ['the license expired at 2025-02-01T00:00:00.000Z']);
    assert.deepEqual(diagnoseRefusal(ctx({ license: license({ validityBegin: '2025-03-01T12:00:01' }) })), ['the license is not valid before 2025-03-01T12:00:01.000Z']);
    assert.deepEqual(diagnoseRefusal(ctx({ license: license({ validityBegin: undefined, validityEnd: undefined }) })), []);
  });

  test('PROVISIONAL needs a ProvisionalConfiguration; PERPETUAL does not', () => {
    const l = license({ provisionalTtlMinutes: undefined });
    assert.deepEqual(diagnoseRefusal(ctx({ license: l })), ['the license has no ProvisionalConfiguration, so it cannot be checked out PROVISIONAL']);
    assert.deepEqual(diagnoseRefusal(ctx({ license: l, checkoutType: 'PERPETUAL' })), []);
  });

  test('borrow needs a BorrowConfiguration', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ mode: 'borrow' })), ['the license has no BorrowConfiguration, so it cannot be borrowed']);
    assert.deepEqual(diagnoseRefusal(ctx({ mode: 'borrow', license: license({ borrow: { allowEarlyCheckIn: true, ttlMinutes: 60 } }) })), []);
  });

  test('entitlement names not in the license, listing those it has', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ asked: parseEntitlements('seats = 1') })), ["entitlement 'seats' is not in the license (it has: Seats, Storage)"]);
    assert.deepEqual(diagnoseRefusal(ctx({ license: license({ entitlements: [] }) })), ["entitlement 'Seats' is not in the license (it has: none)"]);
  });

  test('unit mismatch', () => {
    assert.deepEqual(diagnoseRefusal(ctx({ asked: parseEntitlements('Storage = 10 Megabytes') })), ["entitlement 'Storage' is counted in Gigabytes, not Megabytes"]);
  });

  test('MaxCount reached, from the usage', () => {
    const usage = [{ name: 'Seats', consumed: 3, maxCount: 3, unit: 'Count' }];
    assert.deepEqual(diagnoseRefusal(ctx({ usage })), ["entitlement 'Seats' has 3 of 3 in use; 1 more would exceed MaxCount"]);
    assert.deepEqual(diagnoseRefusal(ctx({ usage: [{ name: 'Seats', consumed: 1, maxCount: 3, unit: 'Count' }], asked: parseEntitlements('Seats = 3') })), [
      "entitlement 'Seats' has 1 of 3 in use; 3 more would exceed MaxCount",
    ]);
  });

  test('MaxCount from usage when the license does not carry it; overage disables the check', () => {
    const l = license({ entitlements: [{ name: 'Seats', unit: 'Count' }] });
    assert.deepEqual(diagnoseRefusal(ctx({ license: l, usage: [{ name: 'Seats', consumed: 5, maxCount: 5, unit: 'Count' }] })), [
      "entitlement 'Seats' has 5 of 5 in use; 1 more would exceed MaxCount",
    ]);
    const over = license({ entitlements: [{ name: 'Seats', unit: 'Count', maxCount: 1, overage: true }] });
    assert.deepEqual(diagnoseRefusal(ctx({ license: over, usage: [{ name: 'Seats', consumed: 9, unit: 'Count' }] })), []);
  });

  test('several causes are all reported', () => {
    const reasons = diagnoseRefusal(
      ctx({
        license: license({ status: 'EXPIRED', validityEnd: '2024-01-01T00:00:00Z', provisionalTtlMinutes: undefined }),
        asked: parseEntitlements('Seats = 1\nGPU = 1 (optional)'),
      }),
    );
    assert.equal(reasons.length, 4);
    assert.match(reasons.join('; '), /status is EXPIRED.*expired at 2024-01-01.*ProvisionalConfiguration.*'GPU' is not in the license/);
  });
});
