// Attacks through the verification key and the signature bytes (issue 14, items 6 and 7): keys a
// forger could choose or a user could paste by mistake, and a second text for one signature.
import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { importPublicKey } from '../../src/token/public-key.js';
import { verifyLicenseToken } from '../../src/verify-lib.js';
import { awsPayload, b64url, LICENSE_ARN, NOW, publicPem, rsaKeys, signToken } from './token-fixtures.js';

const { publicKey, privateKey } = rsaKeys();
const code = (input: unknown) => {
  const key = importPublicKey(input);
  return key instanceof KeyObject ? 'accepted' : key.code;
};

/** MGF1 with SHA-384 (RFC 8017 B.2.1). */
function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * 48 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash('sha384').update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE with SHA-384 and a 48-byte salt (RFC 8017 9.1.1): what the private key would exponentiate. */
function pssEncode(message: Buffer, modulusBits: number): Buffer {
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(48);
  const h = createHash('sha384').update(Buffer.alloc(8)).update(createHash('sha384').update(message).digest()).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 48 - 48 - 2), Buffer.from([1]), salt]);
  const masked = mgf1(h, db.length).map((b, i) => b ^ db[i]!);
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([masked, h, Buffer.from([0xbc])]);
}

describe('keys a forger could choose (item 6)', () => {
  const n = publicKey.export({ format: 'jwk' }).n!;
  const exponentOne = createPublicKey({ key: { kty: 'RSA', n, e: 'AQ' }, format: 'jwk' });

  test('exponent 1: a token forged without any private key verifies with node:crypto, and is refused', async () => {
    const input = `${b64url(JSON.stringify({ alg: 'PS384' }))}.${b64url(JSON.stringify(awsPayload()))}`;
    // With e = 1 the signature is the encoded message itself: no secret is needed to make one.
    const forged = pssEncode(Buffer.from(input), 2048);
    const options = { key: exponentOne, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 };
    assert.ok(verify('sha384', Buffer.from(input), options, forged), 'the forgery is real');
    for (const form of [exponentOne, exponentOne.export({ type: 'spki', format: 'pem' }), JSON.stringify(exponentOne.export({ format: 'jwk' }))]) {
      const result = await verifyLicenseToken(`${input}.${b64url(forged)}`, { publicKey: form, now: NOW, licenseArn: LICENSE_ARN });
      assert.equal(result.valid, false, 'a forged token verified');
      assert.equal(result.code, 'key-invalid');
      assert.match(result.reason, /exponent 1\b.*65537/);
    }
  });

  test('only the exponent KMS uses (65537) is accepted', () => {
    for (const e of ['Aw', 'EQ', 'AQAAAQ']) {
      assert.equal(code(JSON.stringify({ kty: 'RSA', n, e })), 'key-invalid', e);
    }
    assert.equal(code(JSON.stringify({ kty: 'RSA', n, e: 'AQAB' })), 'accepted');
  });
});

describe('private keys, in every form (item 6)', () => {
  const forms: [string, unknown][] = [
    ['base64 PKCS#1 DER', privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')],
    ['base64 PKCS#8 DER', privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')],
    ['base64 PKCS#8 DER wrapped at 64 columns', privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64').replace(/(.{64})/g, '$1\n')],
    ['PKCS#1 DER bytes (a .der file)', privateKey.export({ type: 'pkcs1', format: 'der' })],
    ['PKCS#8 DER bytes (a .der file)', privateKey.export({ type: 'pkcs8', format: 'der' })],
    ['encrypted PKCS#8 DER bytes', privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'p' })],
    ['PKCS#8 PEM', privateKey.export({ type: 'pkcs8', format: 'pem' })],
    ['PKCS#1 PEM', privateKey.export({ type: 'pkcs1', format: 'pem' })],
    ['a private key inside a PUBLIC KEY label', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/PRIVATE KEY/g, 'PUBLIC KEY')],
    ['JWK with d', JSON.stringify(privateKey.export({ format: 'jwk' }))],
    ['KeyObject', privateKey],
  ];
  for (const [name, input] of forms) {
    test(name, () => {
      const key = importPublicKey(input);
      assert.ok(!(key instanceof KeyObject), `${name} was used as a public key`);
      assert.equal(key.code, 'key-is-private');
      assert.ok(!key.reason.includes('MII'), 'the key is not echoed');
    });
  }
});

describe('PEM and JWK that say more than one public key for verifying (item 6)', () => {
  const pem = publicPem();
  const other = publicPem(rsaKeys('other'));
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  test('several PEM blocks are refused, whatever they hold', () => {
    assert.equal(code(`${pem}\n${other}`), 'key-invalid');
    assert.equal(code(`${pem}${privatePem}`), 'key-is-private');
    assert.equal(code(`${pem}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`), 'key-invalid');
  });
  test('text after the END line, or an END that does not match, is refused', () => {
    assert.equal(code(`${pem}trailing words`), 'key-invalid');
    assert.equal(code(pem.replace('-----END PUBLIC KEY-----', '-----END RSA PUBLIC KEY-----')), 'key-invalid');
    assert.equal(code(pem.replace(/-----END PUBLIC KEY-----\s*$/, '')), 'key-invalid');
  });
  test('a JWK whose key_ops or use exclude verification is refused', () => {
    const jwk = publicKey.export({ format: 'jwk' });
    for (const extra of [{ key_ops: ['encrypt'] }, { key_ops: [] }, { key_ops: ['sign'] }, { key_ops: 'verify' }, { key_ops: [1] }, { use: 'enc' }, { use: 1 }]) {
      assert.equal(code(JSON.stringify({ ...jwk, ...extra })), 'key-invalid', JSON.stringify(extra));
    }
    assert.equal(code(JSON.stringify({ ...jwk, key_ops: ['verify'], use: 'sig' })), 'accepted');
  });
});

describe('bounded work on a hostile key text (item 8)', () => {
  test('base64 that fails at its last character is refused in linear time', () => {
    for (const text of [`A${' '.repeat(65_000)}!`, `${'A '.repeat(32_000)}!`, `${'A'.repeat(65_000)}==!`]) {
      const started = process.hrtime.bigint();
      assert.notEqual(code(text), 'accepted');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 100, `${ms.toFixed(0)} ms`);
    }
  });
  test('DER bytes beyond 64 KiB are refused before any parse', () => {
    assert.equal(code(Buffer.alloc(10 * 2 ** 20, 0x30)), 'key-invalid');
  });
});

describe('one signature, one text (item 7)', () => {
  /** A token whose signature starts with a zero byte (one in 256 PSS signatures do). */
  function tokenWithLeadingZero(): { input: string; signature: Buffer } {
    const input = `${b64url(JSON.stringify({ alg: 'PS384' }))}.${b64url(JSON.stringify(awsPayload()))}`;
    for (;;) {
      const signature = sign('sha384', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
      if (signature[0] === 0) return { input, signature };
    }
  }
  const check = (token: string) => verifyLicenseToken(token, { publicKey, now: NOW, licenseArn: LICENSE_ARN });

  test('the leading zero byte removed: refused, so no token has two signature texts', async () => {
    const { input, signature } = tokenWithLeadingZero();
    assert.equal((await check(`${input}.${b64url(signature)}`)).valid, true);
    const stripped = await check(`${input}.${b64url(signature.subarray(1))}`);
    assert.equal(stripped.valid, false, 'a second text of the same signature verified');
    assert.equal(stripped.code, 'signature-invalid');
    assert.match(stripped.reason, /255 bytes.*256/);
  });

  test('a zero byte added in front is refused too', async () => {
    const [h, p, s] = signToken().split('.') as [string, string, string];
    const padded = await check(`${h}.${p}.${b64url(Buffer.concat([Buffer.alloc(1), Buffer.from(s, 'base64url')]))}`);
    assert.equal(padded.code, 'signature-invalid');
  });
});
