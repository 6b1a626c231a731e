// The hostile and broken tokens: each must be refused with its own code, and never echoed.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyLicenseToken, type RefusalCode, type VerifyLicenseTokenOptions } from '../../src/verify-lib.js';
import { awsPayload, b64url, hmacWithPublicKey, NOW, publicPem, rsaKeys, SIGNERS, signRaw, signToken, LICENSE_ARN } from './token-fixtures.js';

const good = signToken();
const [goodHeader, goodPayload, goodSignature] = good.split('.') as [string, string, string];
const other = rsaKeys('another issuer');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const without = (claim: string) => {
  const payload = awsPayload();
  delete payload[claim];
  return signToken(payload);
};
const stateDir = mkdtempSync(join(tmpdir(), 'lg-corpus-'));
const stateFile = join(stateDir, 'state.json');
writeFileSync(stateFile, JSON.stringify({ newestSeen: '2026-03-03T00:00:00Z' }));

interface Case {
  name: string;
  token: string;
  code: RefusalCode;
  options?: Partial<VerifyLicenseTokenOptions>;
}

const cases: Case[] = [
  // algorithms and header
  { name: 'alg none, no signature', token: `${b64url('{"alg":"none"}')}.${goodPayload}.`, code: 'signature-invalid' },
  { name: 'alg none with a signature', token: `${b64url('{"alg":"none"}')}.${goodPayload}.${goodSignature}`, code: 'alg-not-allowed' },
  { name: 'alg missing', token: signToken(awsPayload(), { typ: 'JWT' }), code: 'alg-not-allowed' },
  { name: 'alg in lower case', token: signToken(awsPayload(), { alg: 'ps384' }), code: 'alg-not-allowed' },
  { name: 'HS256 keyed with the public key', token: hmacWithPublicKey(), code: 'alg-not-allowed' },
  { name: 'RS256', token: signToken(awsPayload(), { alg: 'RS256' }, rsaKeys().privateKey, SIGNERS.RS256), code: 'alg-not-allowed' },
  { name: 'ES256', token: signToken(awsPayload(), { alg: 'ES256' }, ec.privateKey, SIGNERS.ES256), code: 'alg-not-allowed' },
  { name: 'PS256', token: signToken(awsPayload(), { alg: 'PS256' }, rsaKeys().privateKey, SIGNERS.PS256), code: 'alg-not-allowed' },
  { name: 'PS512', token: signToken(awsPayload(), { alg: 'PS512' }, rsaKeys().privateKey, SIGNERS.PS512), code: 'alg-not-allowed' },
  { name: 'PS384 header over an RS384-style signature', token: signToken(awsPayload(), { alg: 'PS384' }, rsaKeys().privateKey, SIGNERS.RS256), code: 'signature-invalid' },
  { name: 'crit extension', token: signToken(awsPayload(), { alg: 'PS384', crit: ['exp'], exp: 1 }), code: 'crit-not-allowed' },
  { name: 'empty crit', token: signToken(awsPayload(), { alg: 'PS384', crit: [] }), code: 'crit-not-allowed' },
  { name: 'jku', token: signToken(awsPayload(), { alg: 'PS384', jku: 'https://evil.example/jwks' }), code: 'key-reference-not-allowed' },
  { name: 'x5u', token: signToken(awsPayload(), { alg: 'PS384', x5u: 'https://evil.example/cert' }), code: 'key-reference-not-allowed' },
  { name: 'embedded jwk', token: signToken(awsPayload(), { alg: 'PS384', jwk: other.publicKey.export({ format: 'jwk' }) }, other.privateKey), code: 'key-reference-not-allowed' },
  { name: 'x5c', token: signToken(awsPayload(), { alg: 'PS384', x5c: ['MIIB'] }), code: 'key-reference-not-allowed' },
  { name: 'b64 false', token: signToken(awsPayload(), { alg: 'PS384', b64: false }), code: 'header-param-not-allowed' },
  { name: 'duplicate alg in header', token: signRaw('{"alg":"PS384","alg":"none"}', JSON.stringify(awsPayload())), code: 'duplicate-member' },
  { name: 'header not JSON', token: signRaw('{alg:PS384}', JSON.stringify(awsPayload())), code: 'header-invalid' },
  { name: 'header a JSON array', token: signRaw('["PS384"]', JSON.stringify(awsPayload())), code: 'header-invalid' },
  { name: 'header not UTF-8', token: `${b64url(Buffer.from([0x7b, 0xff, 0x7d]))}.${goodPayload}.${goodSignature}`, code: 'header-invalid' },
  // signature
  { name: 'signed by another key', token: signToken(awsPayload(), { alg: 'PS384' }, other.privateKey), code: 'signature-invalid' },
  { name: 'payload swapped, signature kept', token: `${goodHeader}.${b64url(JSON.stringify(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '1000', unit: 'Count' }] })))}.${goodSignature}`, code: 'signature-invalid' },
  { name: 'payload re-signed by another key', token: `${goodHeader}.${signToken(awsPayload({ nodeId: 'x' }), { alg: 'PS384' }, other.privateKey).split('.').slice(1).join('.')}`, code: 'signature-invalid' },
  { name: 'truncated signature', token: good.slice(0, -10), code: 'signature-invalid' },
  { name: 'empty signature', token: `${goodHeader}.${goodPayload}.`, code: 'signature-invalid' },
  { name: 'signature of zeros', token: `${goodHeader}.${goodPayload}.${b64url(Buffer.alloc(256))}`, code: 'signature-invalid' },
  // serialization
  { name: 'empty token', token: '', code: 'token-malformed' },
  { name: 'two segments', token: `${goodHeader}.${goodPayload}`, code: 'token-malformed' },
  { name: 'four segments', token: `${good}.${goodSignature}`, code: 'token-malformed' },
  { name: 'five segments (a JWE)', token: `${good}.a.b`, code: 'token-malformed' },
  { name: 'empty header segment', token: `.${goodPayload}.${goodSignature}`, code: 'token-malformed' },
  { name: 'padding', token: `${goodHeader}.${goodPayload}==.${goodSignature}`, code: 'token-not-base64url' },
  { name: 'standard base64 characters', token: good.replace(/-/g, '+').replace(/_/g, '/') + (good.includes('-') || good.includes('_') ? '' : '+'), code: 'token-not-base64url' },
  { name: 'whitespace inside', token: `${goodHeader}.${goodPayload.slice(0, 5)} ${goodPayload.slice(5)}.${goodSignature}`, code: 'token-not-base64url' },
  { name: 'non-canonical last character', token: `${goodHeader}.${goodPayload}.${goodSignature.slice(0, -1)}${String.fromCharCode(goodSignature.charCodeAt(goodSignature.length - 1) ^ 1)}`, code: 'token-not-base64url' },
  { name: 'huge token', token: `${goodHeader}.${'A'.repeat(70_000)}.${goodSignature}`, code: 'token-too-large' },
  // payload
  { name: 'payload not JSON', token: signRaw('{"alg":"PS384"}', 'licenseArn=x'), code: 'payload-invalid' },
  { name: 'payload a JSON array', token: signRaw('{"alg":"PS384"}', JSON.stringify([awsPayload()])), code: 'payload-invalid' },
  { name: 'payload a JSON string', token: signRaw('{"alg":"PS384"}', '"hello"'), code: 'payload-invalid' },
  { name: 'duplicate claim', token: signRaw('{"alg":"PS384"}', JSON.stringify(awsPayload()).replace('{', `{"licenseArn":"${LICENSE_ARN.replace('111122223333', '999999999999')}",`)), code: 'duplicate-member' },
  { name: 'duplicate member in an entitlement', token: signRaw('{"alg":"PS384"}', JSON.stringify(awsPayload()).replace('"value":"10"', '"value":"1","value":"10"')), code: 'duplicate-member' },
  { name: 'missing licenseArn', token: without('licenseArn'), code: 'claim-missing' },
  { name: 'missing licenseConsumptionToken', token: without('licenseConsumptionToken'), code: 'claim-missing' },
  { name: 'missing entitlementsAllowed', token: without('entitlementsAllowed'), code: 'claim-missing' },
  { name: 'missing issuedAt', token: without('issuedAt'), code: 'claim-missing' },
  { name: 'missing expiration', token: without('expiration'), code: 'claim-missing' },
  { name: 'licenseArn not an ARN', token: signToken(awsPayload({ licenseArn: 'l-0123' })), code: 'claim-invalid' },
  { name: 'licenseArn a number', token: signToken(awsPayload({ licenseArn: 42 })), code: 'claim-invalid' },
  { name: 'entitlementsAllowed an object', token: signToken(awsPayload({ entitlementsAllowed: { Seats: 10 } })), code: 'claim-invalid' },
  // Any string is a value (a feature's is a word); it is refused only where a number is expected of it.
  { name: 'entitlement value negative, a number expected', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '-1', unit: 'Count' }] })), code: 'entitlement-insufficient', options: { entitlements: 'Seats = 1' } },
  { name: 'entitlement value in exponent text, a number expected', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '1e3', unit: 'Count' }] })), code: 'entitlement-insufficient', options: { entitlements: 'Seats = 1' } },
  { name: 'entitlement value a word, a number expected', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: 'Enabled', unit: 'Count' }] })), code: 'entitlement-insufficient', options: { entitlements: 'Seats = 1' } },
  { name: 'entitlement value negative number', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: -1, unit: 'Count' }] })), code: 'claim-invalid' },
  { name: 'entitlement value an object', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: { n: 1 }, unit: 'Count' }] })), code: 'claim-invalid' },
  { name: 'feature expected, not granted', token: good, code: 'entitlement-missing', options: { entitlements: 'Premium' } },
  { name: 'entitlement listed twice', token: signToken(awsPayload({ entitlementsAllowed: [{ name: 'Seats', value: '1', unit: 'Count' }, { name: 'Seats', value: '99', unit: 'Count' }] })), code: 'claim-invalid' },
  { name: 'nodeId a number', token: signToken(awsPayload({ nodeId: 7 })), code: 'claim-invalid' },
  { name: 'issuedAt not ISO 8601', token: signToken(awsPayload({ issuedAt: 'March 1, 2026' })), code: 'claim-invalid' },
  { name: 'issuedAt an impossible date', token: signToken(awsPayload({ issuedAt: '2026-02-30T00:00:00' })), code: 'claim-invalid' },
  { name: 'expiration epoch seconds', token: signToken(awsPayload({ expiration: 1772449200 })), code: 'claim-invalid' },
  { name: 'exp as a string', token: signToken(awsPayload({ exp: '1772449200' })), code: 'claim-invalid' },
  // time
  { name: 'expired', token: signToken(awsPayload({ issuedAt: '2026-02-27T00:00:00', expiration: '2026-02-28T00:00:00' })), code: 'expired' },
  { name: 'expired beyond the skew by a second', token: signToken(awsPayload({ expiration: '2026-03-01T11:54:59Z' })), code: 'expired' },
  { name: 'standard exp passed', token: signToken(awsPayload({ exp: NOW.getTime() / 1000 - 3600 })), code: 'expired' },
  { name: 'issuedAt in the future beyond the skew', token: signToken(awsPayload({ issuedAt: '2026-03-01T12:05:01Z' })), code: 'issued-in-future' },
  { name: 'standard iat in the future', token: signToken(awsPayload({ iat: NOW.getTime() / 1000 + 3600 })), code: 'issued-in-future' },
  { name: 'standard nbf in the future', token: signToken(awsPayload({ nbf: NOW.getTime() / 1000 + 3600 })), code: 'not-yet-valid' },
  { name: 'expiration before issuedAt', token: signToken(awsPayload({ issuedAt: '2026-03-01T11:00:00', expiration: '2026-03-01T10:00:00' })), code: 'expiration-before-issued' },
  { name: 'expiration equal to issuedAt', token: signToken(awsPayload({ issuedAt: '2026-03-01T11:00:00', expiration: '2026-03-01T11:00:00Z' })), code: 'expiration-before-issued' },
  { name: 'clock set back (state file)', token: good, code: 'clock-set-back', options: { stateFile } },
  // expectations
  { name: 'wrong license ARN', token: good, code: 'license-arn-mismatch', options: { licenseArn: LICENSE_ARN.replace('0123', '9999') } },
  { name: 'wrong node', token: good, code: 'node-id-mismatch', options: { nodeId: 'runner-8' } },
  { name: 'node expected, none in token', token: without('nodeId'), code: 'node-id-mismatch', options: { nodeId: 'runner-7' } },
  { name: 'missing entitlement', token: good, code: 'entitlement-missing', options: { entitlements: 'GPUs = 1' } },
  { name: 'insufficient value', token: good, code: 'entitlement-insufficient', options: { entitlements: 'Seats = 11' } },
  { name: 'insufficient decimal value', token: good, code: 'entitlement-insufficient', options: { entitlements: 'Storage = 2.51 Gigabytes' } },
  { name: 'unit mismatch', token: good, code: 'entitlement-unit-mismatch', options: { entitlements: 'Storage = 1 Megabytes' } },
];

describe('hostile and broken tokens', () => {
  const publicKey = publicPem();
  test('the corpus is large enough', () => assert.ok(cases.length >= 25, `${cases.length} cases`));
  test('the untouched token verifies (so each refusal below is about its own change)', async () => {
    const result = await verifyLicenseToken(good, { publicKey, now: NOW });
    assert.equal(result.valid, true, result.reason);
  });
  for (const c of cases) {
    test(`${c.name}: ${c.code}`, async () => {
      const result = await verifyLicenseToken(c.token, { publicKey, now: NOW, ...c.options });
      assert.equal(result.valid, false);
      assert.equal(result.code, c.code, result.reason);
      assert.ok(result.reason.length > 10);
      assert.ok(!/\n|\r/.test(result.reason), 'one line');
      for (const part of c.token.split('.').filter((p) => p.length >= 12)) {
        assert.ok(!result.reason.includes(part.slice(0, 12)), 'the reason quotes the token');
      }
    });
  }
});
