// Property-based: whatever arrives as token, header, payload or key, the verifier answers
// valid:false with a reason, never throws, and accepts nothing it did not see validly signed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { importPublicKey } from '../../src/token/public-key.js';
import { verifyLicenseToken, type VerifyResult } from '../../src/verify-lib.js';
import { awsPayload, b64url, NOW, publicPem, rsaKeys, signRaw, signToken } from './token-fixtures.js';

const publicKey = rsaKeys().publicKey;
const runs = { numRuns: 300 };

function assertRefused(result: VerifyResult): void {
  assert.equal(result.valid, false);
  assert.ok(!result.valid && result.code.length > 0);
  assert.ok(result.reason.trim().length > 0);
  assert.ok(!/[\r\n]/.test(result.reason));
}

const verify = (token: string) => verifyLicenseToken(token, { publicKey, now: NOW });
const segment = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 }).map(b64url), fc.json().map(b64url));

describe('verifier properties', () => {
  test('any string is refused with a reason', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), async (token) => assertRefused(await verify(token))), runs);
  });

  test('any three segments are refused with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (h, p, s) => assertRefused(await verify(`${h}.${p}.${s}`))),
      runs,
    );
  });

  test('any JSON as header, payload or both, with a valid-looking signature, is refused', async () => {
    const signature = signToken().split('.')[2]!;
    await fc.assert(
      fc.asyncProperty(fc.json(), fc.json(), async (header, payload) => {
        assertRefused(await verify(`${b64url(header)}.${b64url(payload)}.${signature}`));
      }),
      runs,
    );
  });

  test('any JSON payload properly signed with PS384 is refused unless it is a complete AWS payload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), async (payload) => assertRefused(await verify(signRaw('{"alg":"PS384"}', payload)))),
      { numRuns: 100 },
    );
  });

  test('any header around a signed AWS payload: accepted only when it is plain PS384', async () => {
    const extra = fc.dictionary(fc.constantFrom('crit', 'jku', 'jwk', 'x5u', 'x5c', 'b64', 'zip', 'kid', 'typ', 'foo'), fc.jsonValue(), { maxKeys: 3 });
    const alg = fc.oneof(fc.constant('PS384'), fc.constantFrom('PS256', 'RS384', 'none', 'HS384'), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(extra, alg, async (members, algorithm) => {
        const header: Record<string, unknown> = { ...members, alg: algorithm };
        const result = await verify(signToken(awsPayload(), header));
        const dangerous = ['crit', 'jku', 'jwk', 'x5u', 'x5c', 'b64', 'zip'].some((k) => k in header);
        const badTypes = ['kid', 'typ'].some((k) => k in header && typeof header[k] !== 'string');
        if (header.alg === 'PS384' && !dangerous && !badTypes) assert.equal(result.valid, true, result.reason);
        else assertRefused(result);
      }),
      { numRuns: 100 },
    );
  });

  test('changing any one character of a valid token makes it invalid', async () => {
    const good = signToken();
    assert.equal((await verify(good)).valid, true);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }), async (index, char) => {
        fc.pre(good[index] !== char);
        assertRefused(await verify(good.slice(0, index) + char + good.slice(index + 1)));
      }),
      runs,
    );
  });

  test('any string, bytes or JSON as the key is refused with a reason, never thrown', async () => {
    const keyInput = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.uint8Array({ maxLength: 600 }),
      fc.json(),
      fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString('base64')),
      fc.string().map((s) => `-----BEGIN PUBLIC KEY-----\n${s}\n-----END PUBLIC KEY-----`),
      fc.record({ kty: fc.constantFrom('RSA', 'EC', 'oct'), n: fc.base64String(), e: fc.constantFrom('AQAB', 'Aw', ''), alg: fc.constantFrom(undefined, 'PS384', 'RS256') }, { requiredKeys: ['kty'] }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(keyInput, async (key) => {
        const imported = importPublicKey(key);
        assert.ok('valid' in imported ? imported.reason.length > 0 : imported.asymmetricKeyType === 'rsa');
        assertRefused(await verifyLicenseToken(signToken(), { publicKey: key, now: NOW }));
      }),
      runs,
    );
  });

  test('the same token and a valid key of another issuer: always refused', async () => {
    const otherKey = publicPem(rsaKeys('another issuer'));
    await fc.assert(
      fc.asyncProperty(fc.record({ nodeId: fc.string(), licenseConsumptionToken: fc.string({ minLength: 1 }) }), async (claims) => {
        assert.equal((await verifyLicenseToken(signToken(awsPayload(claims)), { publicKey: otherKey, now: NOW })).code, 'signature-invalid');
      }),
      { numRuns: 30 },
    );
  });
});
