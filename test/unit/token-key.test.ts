import assert from 'node:assert/strict';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readKeyInput } from '../../src/token/key-source.js';
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

describe('readKeyInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-key-'));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  test('inline PEM and JWK are taken as they are', () => {
    assert.equal(readKeyInput(`  ${publicPem()}`), publicPem().trim());
    assert.equal(readKeyInput('{"kty":"RSA"}'), '{"kty":"RSA"}');
  });
  test('a path is read: raw DER as bytes, anything else as text', () => {
    writeFileSync(join(dir, 'k.der'), der);
    writeFileSync(join(dir, 'k.pem'), publicPem());
    assert.deepEqual(readKeyInput(join(dir, 'k.der')), der);
    assert.equal(readKeyInput(join(dir, 'k.pem')), publicPem());
  });
  test('neither a key nor a file: the text, for importPublicKey to judge', () => {
    assert.equal(readKeyInput(der.toString('base64')), der.toString('base64'));
    assert.equal(readKeyInput(join(dir, 'absent.pem')), join(dir, 'absent.pem'));
    assert.equal(readKeyInput(dir), dir);
  });
});
