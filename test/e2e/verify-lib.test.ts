import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { awsPayload, LICENSE_ARN, NOW, rsaKeys, signToken } from '../unit/token-fixtures.js';
import { NODE24, ROOT } from '../support/run-action.js';

// What an ISV's Node software does: import the published entry `license-gate/verify` (the bundle
// in dist/verify-lib, resolved through package.json "exports"), not the TypeScript sources.
function verifyInChild(token: string, options: Record<string, unknown>): { valid: boolean; code: string; reason: string } {
  const script = `
    import { verifyLicenseToken } from 'license-gate/verify';
    const [token, options] = JSON.parse(process.argv[1]);
    const r = await verifyLicenseToken(token, { ...options, now: new Date(options.now) });
    process.stdout.write(JSON.stringify({ valid: r.valid, code: r.code, reason: r.reason }));
  `;
  const out = execFileSync(NODE24, ['--input-type=module', '-e', script, JSON.stringify([token, options])], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as { valid: boolean; code: string; reason: string };
}

describe('programmatic API: license-gate/verify', () => {
  const pem = rsaKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const base = { publicKey: pem, licenseArn: LICENSE_ARN, entitlements: 'Seats = 1', now: NOW.toISOString() };

  test('a token in AWS format verifies through the package export', () => {
    const r = verifyInChild(signToken(awsPayload()), base);
    assert.equal(r.valid, true, r.reason);
    assert.equal(r.code, 'valid');
  });

  test('a refusal is an answer, not an exception', () => {
    const r = verifyInChild(signToken(awsPayload()), { ...base, entitlements: 'Seats = 11' });
    assert.equal(r.valid, false);
    assert.equal(r.code, 'entitlement-insufficient');
    const garbage = verifyInChild('not.a.token', base);
    assert.equal(garbage.valid, false);
  });

  test('a clock skew above one hour and a key file path are refused as options, not used', () => {
    const skew = verifyInChild(signToken(awsPayload()), { ...base, clockSkewMs: 2 * 86_400_000 });
    assert.equal(skew.code, 'options-invalid');
    const path = verifyInChild(signToken(awsPayload()), { ...base, publicKey: join(ROOT, 'package.json') });
    assert.equal(path.code, 'key-invalid');
  });
});
