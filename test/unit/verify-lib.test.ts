import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyLicenseToken } from '../../src/verify-lib.js';
import { awsPayload, NOW, publicPem, rsaKeys, signToken, LICENSE_ARN } from './token-fixtures.js';

const token = signToken();
const publicKey = publicPem();

describe('verifyLicenseToken', () => {
  test('returns typed claims for a valid token', async () => {
    const result = await verifyLicenseToken(token, { publicKey, now: NOW, licenseArn: LICENSE_ARN, nodeId: 'runner-7' });
    assert.ok(result.valid);
    assert.equal(result.code, 'valid');
    assert.equal(result.claims.licenseArn, LICENSE_ARN);
    assert.equal(result.claims.expiration.toISOString(), '2026-03-02T11:00:00.000Z');
  });

  test('entitlements as the action grammar or as a list, units defaulting to Count', async () => {
    for (const entitlements of ['Seats = 10\nStorage = 2 Gigabytes', [{ name: 'Seats', value: 10 }, { name: 'Storage', value: '2', unit: 'Gigabytes' }]]) {
      assert.equal((await verifyLicenseToken(token, { publicKey, now: NOW, entitlements })).valid, true);
    }
    const more = await verifyLicenseToken(token, { publicKey, now: NOW, entitlements: [{ name: 'Seats', value: 11 }] });
    assert.equal(more.code, 'entitlement-insufficient');
  });

  test('the clock skew is configurable', async () => {
    const late = new Date('2026-03-02T11:04:00Z');
    assert.equal((await verifyLicenseToken(token, { publicKey, now: late })).valid, true);
    assert.equal((await verifyLicenseToken(token, { publicKey, now: late, clockSkewMs: 60_000 })).code, 'expired');
  });

  test('bad options are refusals, not exceptions', async () => {
    const cases = [
      { clockSkewMs: -1 },
      { clockSkewMs: Number.NaN },
      { clockSkewMs: 3_600_001 },
      { clockSkewMs: 3 * 86_400_000 },
      { now: new Date('nonsense') },
      { entitlements: 'Seats = many' },
      { entitlements: [{ name: 'Seats', value: -1 }] },
    ];
    for (const options of cases) {
      const result = await verifyLicenseToken(token, { publicKey, now: NOW, ...options });
      assert.equal(result.code, 'options-invalid', JSON.stringify(options));
      assert.ok(result.reason.length > 0);
    }
  });

  test('a state file: recorded on success, max(now, issuedAt); a later run with the clock set back is refused', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'lg-lib-')), 'state.json');
    assert.equal((await verifyLicenseToken(token, { publicKey, now: NOW, stateFile })).valid, true);
    const back = new Date(NOW.getTime() - 10 * 60_000);
    assert.equal((await verifyLicenseToken(token, { publicKey, now: back, stateFile })).code, 'clock-set-back');
    const future = signToken(awsPayload({ issuedAt: '2026-03-01T12:04:00Z' }));
    assert.equal((await verifyLicenseToken(future, { publicKey, now: NOW, stateFile })).valid, true);
    // the watermark is now issuedAt (12:04), so 11:58 is more than the skew behind it
    assert.equal((await verifyLicenseToken(token, { publicKey, now: new Date('2026-03-01T11:58:00Z'), stateFile })).code, 'clock-set-back');
  });

  test('a clock skew of days would revive a token expired days ago: more than 1 hour is refused', async () => {
    const dayAfterExpiry = new Date('2026-03-03T11:00:00Z');
    const result = await verifyLicenseToken(token, { publicKey, now: dayAfterExpiry, clockSkewMs: 2 * 86_400_000 });
    assert.equal(result.valid, false, `accepted: ${result.reason}`);
    assert.equal(result.code, 'options-invalid');
    assert.match(result.reason, /clockSkewMs .*1 hour/);
    assert.equal((await verifyLicenseToken(token, { publicKey, now: NOW, clockSkewMs: 3_600_000 })).valid, true);
  });

  test('publicKey is key text: a path to a key file is refused, not read', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lg-lib-key-')), 'issuer.pem');
    writeFileSync(path, publicKey);
    assert.equal((await verifyLicenseToken(token, { publicKey: path, now: NOW })).code, 'key-invalid');
  });

  test('accepts a KeyObject and refuses a private one', async () => {
    assert.equal((await verifyLicenseToken(token, { publicKey: rsaKeys().publicKey, now: NOW })).valid, true);
    assert.equal((await verifyLicenseToken(token, { publicKey: rsaKeys().privateKey, now: NOW })).code, 'key-is-private');
  });
});
