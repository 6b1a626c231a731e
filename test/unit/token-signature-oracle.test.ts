// The signature check uses node:crypto directly (WebCrypto, which jose needs, costs the offline
// step more than the whole check). jose stays the oracle: over signatures that differ in padding,
// salt length, hash, key and single bits, both must agree on every one.
import assert from 'node:assert/strict';
import { constants, sign, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactVerify } from 'jose';
import { verifyLicenseToken } from '../../src/verify-lib.js';
import { awsPayload, b64url, LICENSE_ARN, NOW, rsaKeys, SIGNERS, type Signer } from './token-fixtures.js';

const pss = (hash: string, saltLength: number): Signer => (input, key) => sign(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

const variants: Record<string, Signer> = {
  'PS384, 48-byte salt (RFC 7518)': SIGNERS.PS384,
  'PSS SHA-384, no salt': pss('sha384', 0),
  'PSS SHA-384, 32-byte salt': pss('sha384', 32),
  'PSS SHA-384, 64-byte salt': pss('sha384', 64),
  'PSS SHA-384, maximum salt': pss('sha384', constants.RSA_PSS_SALTLEN_MAX_SIGN),
  'PSS SHA-256, 48-byte salt': pss('sha256', 48),
  'PKCS#1 v1.5 SHA-384': (input, key) => sign('sha384', input, key),
};

function token(signer: Signer, key: KeyObject, flip?: number): string {
  const input = `${b64url(JSON.stringify({ alg: 'PS384' }))}.${b64url(JSON.stringify(awsPayload()))}`;
  const signature = signer(Buffer.from(input), key);
  if (flip !== undefined) signature[flip % signature.length]! ^= 1 << flip % 8;
  return `${input}.${b64url(signature)}`;
}

async function joseAccepts(compact: string, key: KeyObject): Promise<boolean> {
  return compactVerify(compact, key, { algorithms: ['PS384'] }).then(() => true, () => false);
}

async function weAccept(compact: string, key: KeyObject): Promise<boolean> {
  const result = await verifyLicenseToken(compact, { publicKey: key, now: NOW, licenseArn: LICENSE_ARN });
  assert.ok(result.valid || result.code === 'signature-invalid', `only the signature may be at fault: ${result.code}`);
  return result.valid;
}

describe('the signature check agrees with jose', () => {
  const issuer = rsaKeys();
  const other = rsaKeys('other');
  for (const [name, signer] of Object.entries(variants)) {
    test(name, async () => {
      const compact = token(signer, issuer.privateKey);
      assert.equal(await weAccept(compact, issuer.publicKey), await joseAccepts(compact, issuer.publicKey));
      assert.equal(await weAccept(compact, other.publicKey), false);
      assert.equal(await joseAccepts(compact, other.publicKey), false);
    });
  }

  test('only PS384 with a 48-byte salt verifies', async () => {
    const accepted = [];
    for (const [name, signer] of Object.entries(variants)) if (await weAccept(token(signer, issuer.privateKey), issuer.publicKey)) accepted.push(name);
    assert.deepEqual(accepted, ['PS384, 48-byte salt (RFC 7518)']);
  });

  test('any single flipped bit of the signature is refused by both', async () => {
    for (let bit = 0; bit < 256 * 8; bit += 37) {
      const compact = token(SIGNERS.PS384, issuer.privateKey, bit);
      assert.equal(await weAccept(compact, issuer.publicKey), false, `bit ${bit}`);
      assert.equal(await joseAccepts(compact, issuer.publicKey), false, `bit ${bit}`);
    }
  });
});
