import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEntitlements } from '../../src/entitlements.js';
import { compareDecimals, toDecimal } from '../../src/token/decimal.js';
import { checkExpectations } from '../../src/token/expectations.js';
import { checkProtectedHeader } from '../../src/token/header-policy.js';
import { readLicenseClaims, type LicenseClaims } from '../../src/token/license-claims.js';
import { quote } from '../../src/token/refusal.js';
import { awsPayload, LICENSE_ARN } from './token-fixtures.js';

describe('decimals', () => {
  test('toDecimal keeps decimal text and expands numbers without exponents', () => {
    assert.equal(toDecimal('10'), '10');
    assert.equal(toDecimal('2.50'), '2.50');
    assert.equal(toDecimal(3), '3');
    assert.equal(toDecimal(0.5), '0.5');
    assert.equal(toDecimal(1e21), '1000000000000000000000');
    assert.equal(toDecimal(1.5e-7), '0.00000015');
    for (const bad of ['-1', '1e3', '', ' 1', '.5', '1.', 'NaN', -1, Infinity, NaN, null, true, [1]]) assert.equal(toDecimal(bad), undefined, String(bad));
  });
  test('compareDecimals is exact', () => {
    assert.ok(compareDecimals('10', '9.5') > 0);
    assert.ok(compareDecimals('9.5', '10') < 0);
    assert.equal(compareDecimals('2.50', '2.5'), 0);
    assert.equal(compareDecimals('007', '7'), 0);
    assert.ok(compareDecimals('0.30000000000000001', '0.3') > 0);
    assert.ok(compareDecimals('100000000000000000001', '100000000000000000000') > 0);
  });
});

describe('checkProtectedHeader', () => {
  test('plain PS384, with or without kid and typ, passes', () => {
    assert.equal(checkProtectedHeader({ alg: 'PS384' }), undefined);
    assert.equal(checkProtectedHeader({ alg: 'PS384', kid: 'k', typ: 'JWT' }), undefined);
  });
  test('kid and typ must be strings', () => {
    assert.equal(checkProtectedHeader({ alg: 'PS384', kid: 7 })?.code, 'header-invalid');
  });
  test('an inherited alg is not an alg', () => {
    const header = Object.create({ alg: 'PS384' }) as Record<string, unknown>;
    assert.equal(checkProtectedHeader(header)?.code, 'alg-not-allowed');
  });
});

describe('readLicenseClaims', () => {
  test('reads AWS documentation claims, numbers as decimal text', () => {
    const claims = readLicenseClaims(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: 3, unit: 'Count' }, { name: 'Feature', unit: 'None' }] })) as LicenseClaims;
    assert.equal(claims.licenseArn, LICENSE_ARN);
    assert.deepEqual(claims.entitlementsAllowed, [{ name: 'Seats', value: '3', unit: 'Count' }, { name: 'Feature', unit: 'None' }]);
    assert.equal(claims.issuedAt.toISOString(), '2026-03-01T11:00:00.000Z');
    assert.deepEqual(claims.checkoutMetadata, { Mac: 'ABCDEFGHI' });
  });
  test('any string is a value: a feature\'s word, or text that is not a number, does not refuse the token', () => {
    const claims = readLicenseClaims(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '10', unit: 'Count' }, { name: 'Premium', value: 'Enabled', unit: 'None' }, { name: 'Odd', value: '-1', unit: 'Count' }] })) as LicenseClaims;
    assert.deepEqual(claims.entitlementsAllowed.map((e) => e.value), ['10', 'Enabled', '-1']);
  });
  test('nodeId and checkoutMetadata are optional; unknown claims are ignored', () => {
    const payload = awsPayload({ extra: { deep: true } });
    delete payload.nodeId;
    delete payload.checkoutMetadata;
    const claims = readLicenseClaims(payload) as LicenseClaims;
    assert.equal(claims.nodeId, undefined);
    assert.equal('checkoutMetadata' in claims, false);
  });
  test('names the claim that is wrong', () => {
    const reason = (over: Record<string, unknown>) => (readLicenseClaims(awsPayload(over)) as { reason: string }).reason;
    assert.match(reason({ licenseConsumptionToken: '' }), /licenseConsumptionToken/);
    assert.match(reason({ entitlementsAllowed: [{ name: 'A', value: '1' }] }), /entitlementsAllowed\[0\]\.unit/);
    assert.match(reason({ entitlementsAllowed: [null] }), /entitlementsAllowed\[0\] is not an object/);
    assert.match(reason({ checkoutMetadata: ['Mac'] }), /checkoutMetadata/);
    assert.match(reason({ exp: 1e300 }), /exp is not a number/);
    assert.match(reason({ entitlementsAllowed: Array.from({ length: 1001 }, (_, i) => ({ name: `e${i}`, unit: 'Count' })) }), /more than 1000/);
  });
});

describe('checkExpectations', () => {
  const claims = readLicenseClaims(awsPayload()) as LicenseClaims;
  const check = (text: string) => checkExpectations(claims, { entitlements: parseEntitlements(text) })?.code;
  test('at least the value asked, numbers compared as numbers', () => {
    assert.equal(check('Seats = 9'), undefined);
    assert.equal(check('Storage = 2.25 Gigabytes'), undefined);
    assert.equal(check('Seats = 10'), undefined);
    assert.equal(check('Storage = 2.5 Gigabytes'), undefined);
    assert.equal(check('Storage = 2.50000001 Gigabytes'), 'entitlement-insufficient');
  });
  test('optional entitlements may be missing', () => {
    assert.equal(check('Seats = 1\nGPUs = 1 (optional)'), undefined);
    assert.equal(check('Seats = 1\nGPUs = 1'), 'entitlement-missing');
  });
  test('an entitlement without a value satisfies no amount', () => {
    const flag = readLicenseClaims(awsPayload({ entitlementsAllowed: [{ name: 'Seats', unit: 'Count' }] })) as LicenseClaims;
    assert.equal(checkExpectations(flag, { entitlements: parseEntitlements('Seats = 1') })?.code, 'entitlement-insufficient');
  });
  test('a feature expectation checks presence; a number is compared only where one is asked', () => {
    const tiers = readLicenseClaims(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '10', unit: 'Count' }, { name: 'Premium', value: 'Enabled', unit: 'None' }, { name: 'Support', unit: 'None' }] })) as LicenseClaims;
    const expect = (text: string) => checkExpectations(tiers, { entitlements: parseEntitlements(text) })?.code;
    assert.equal(expect('Premium\nSupport\nSeats = 10'), undefined);
    assert.equal(expect('Platinum'), 'entitlement-missing');
    assert.equal(expect('Premium = 1 None'), 'entitlement-insufficient', "'Enabled' is not a number");
    assert.equal(expect('Platinum (optional)\nSeats = 1'), undefined);
  });
  test('license and node must match exactly (no case folding, no trimming)', () => {
    assert.equal(checkExpectations(claims, { licenseArn: LICENSE_ARN, nodeId: 'runner-7' }), undefined);
    assert.equal(checkExpectations(claims, { licenseArn: LICENSE_ARN.toUpperCase() })?.code, 'license-arn-mismatch');
    assert.equal(checkExpectations(claims, { nodeId: 'Runner-7' })?.code, 'node-id-mismatch');
    assert.equal(checkExpectations(claims, { nodeId: 'runner-7 ' })?.code, 'node-id-mismatch');
  });
});

describe('quote', () => {
  test('keeps hostile text to one short JSON-escaped line', () => {
    assert.equal(quote('a\n::add-mask::x'), '"a\\n::add-mask::x"');
    assert.ok(quote('x'.repeat(500)).length < 90);
    assert.equal(quote(7), '"7"');
  });
});
