import assert from 'node:assert/strict';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { looksLikeKeyText, readKeyFile } from '../../src/token/key-source.js';
import { importPublicKey, toPem } from '../../src/token/public-key.js';
import { publicPem, rsaKeys } from './token-fixtures.js';

const { publicKey, privateKey } = rsaKeys();
const code = (input: unknown) => {
  const key = importPublicKey(input);
  return key instanceof KeyObject ? 'ok' : key.code;
};

describe('importPublicKey', () => {
  test('accepts every form a user may have the issuer key in', () => {
    const jwk = publicKey.export({ format: 'jwk' });
    const forms: [string, unknown][] = [
      ['SPKI PEM', publicPem()],
      ['PKCS#1 PEM (RSA PUBLIC KEY)', publicKey.export({ type: 'pkcs1', format: 'pem' })],
      ['JWK', JSON.stringify(jwk)],
      ['JWK with alg PS384 and use sig', JSON.stringify({ ...jwk, alg: 'PS384', use: 'sig' })],
      ['base64 DER (KMS GetPublicKey)', publicKey.export({ type: 'spki', format: 'der' }).toString('base64')],
      ['base64 DER wrapped at 64 columns', publicKey.export({ type: 'spki', format: 'der' }).toString('base64').replace(/(.{64})/g, '$1\n')],
      ['raw DER bytes', publicKey.export({ type: 'spki', format: 'der' })],
      ['PKCS#1 DER bytes', publicKey.export({ type: 'pkcs1', format: 'der' })],
      ['KeyObject', publicKey],
    ];
    for (const [name, input] of forms) {
      const key = importPublicKey(input);
      assert.ok(key instanceof KeyObject, name);
      assert.ok(key.equals(publicKey), name);
    }
  });
  test('refuses private keys without echoing them', () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const input of [pem, privateKey.export({ type: 'pkcs1', format: 'pem' }), JSON.stringify(privateKey.export({ format: 'jwk' })), privateKey]) {
      const key = importPublicKey(input);
      assert.ok(!(key instanceof KeyObject) && key.code === 'key-is-private');
      assert.ok(!key.reason.includes('MII'));
    }
  });
  test('refuses keys that are not RSA, too small, or meant for another algorithm', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    assert.equal(code(ec.export({ type: 'spki', format: 'pem' })), 'key-not-rsa');
    assert.equal(code(JSON.stringify(ec.export({ format: 'jwk' }))), 'key-not-rsa');
    assert.equal(code(ed), 'key-not-rsa');
    assert.equal(code(JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' })), 'key-not-rsa');
    assert.equal(code(publicPem(rsaKeys('small', 1024))), 'key-too-small');
    assert.equal(code(JSON.stringify({ ...publicKey.export({ format: 'jwk' }), alg: 'RS256' })), 'key-invalid');
    assert.equal(code(JSON.stringify({ ...publicKey.export({ format: 'jwk' }), use: 'enc' })), 'key-invalid');
  });
  test('refuses garbage with a reason', () => {
    for (const input of ['', 'not a key', '{', '{"keys":[]}', '[1]', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'QUJD', 42, null, Buffer.from('hi'), 'x'.repeat(70_000)]) {
      const key = importPublicKey(input);
      assert.ok(!(key instanceof KeyObject), String(input).slice(0, 20));
      assert.ok(key.reason.length > 0);
    }
  });
  test('toPem gives the SPKI PEM to pin', () => {
    assert.equal(toPem(publicKey), publicPem().trim());
  });
});

describe('readKeyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-key-'));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  test('raw DER is read as bytes, anything else as text', () => {
    writeFileSync(join(dir, 'k.der'), der);
    writeFileSync(join(dir, 'k.pem'), publicPem());
    writeFileSync(join(dir, 'k.b64'), der.toString('base64'));
    assert.deepEqual(readKeyFile(join(dir, 'k.der')), { key: der });
    assert.deepEqual(readKeyFile(join(dir, 'k.pem')), { key: publicPem() });
    assert.deepEqual(readKeyFile(join(dir, 'k.b64')), { key: der.toString('base64') });
  });
  test('a missing file, a directory or an oversized file is a problem naming the path', () => {
    writeFileSync(join(dir, 'big.pem'), 'x'.repeat(64 * 1024 + 1));
    assert.deepEqual(readKeyFile(join(dir, 'absent.pem')), { problem: `cannot read ${join(dir, 'absent.pem')} (ENOENT)` });
    assert.deepEqual(readKeyFile(dir), { problem: `${dir} is a directory, not a regular file` });
    assert.deepEqual(readKeyFile(join(dir, 'big.pem')), { problem: `${join(dir, 'big.pem')} is 65537 bytes; at most 65536 are accepted` });
  });
});

describe('looksLikeKeyText', () => {
  test('PEM, JWK and base64 look like keys; a path with a dot or a dash does not', () => {
    for (const text of [publicPem(), '{"kty":"RSA"}', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A+/=', 'pem']) assert.equal(looksLikeKeyText(text), true, text);
    for (const text of ['/keys/issuer.pem', 'issuer-key', './k']) assert.equal(looksLikeKeyText(text), false, text);
  });
});

describe('importPublicKey never reads a file (the library takes key text only)', () => {
  test('a path to a valid key file is refused as key text, whatever the file holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-key-path-'));
    const b64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    writeFileSync(join(dir, 'issuer.pem'), publicPem(rsaKeys('other')));
    assert.equal(code(join(dir, 'issuer.pem')), 'key-invalid');
    // Base64 key text is decoded, even when a file of that name exists in the working directory.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      writeFileSync(join(dir, 'QUJD'), publicPem(rsaKeys('other')));
      assert.equal(code('QUJD'), 'key-invalid');
      const key = importPublicKey(b64);
      assert.ok(key instanceof KeyObject && key.equals(publicKey));
    } finally {
      process.chdir(cwd);
    }
  });
});
