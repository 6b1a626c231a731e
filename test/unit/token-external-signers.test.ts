// Tokens in AWS's format signed outside this codebase: by the openssl CLI and by WebCrypto.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyLicenseToken } from '../../src/verify-lib.js';
import { awsPayload, b64url, NOW, LICENSE_ARN } from './token-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lg-openssl-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });

/** An RSA key made by openssl, its public half as PEM and as DER (what KMS GetPublicKey returns). */
function opensslKey(bits: number) {
  const key = join(dir, `key-${bits}.pem`);
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', key);
  const pem = openssl('pkey', '-in', key, '-pubout').toString();
  const der = openssl('pkey', '-in', key, '-pubout', '-outform', 'DER');
  return { key, pem, der };
}

/** Signs `header.payload` exactly as KMS RSASSA_PSS_SHA_384 does: SHA-384, MGF1 SHA-384, 48-byte salt. */
function opensslSign(keyPath: string, header: object, payload: object): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const inputPath = join(dir, 'input');
  writeFileSync(inputPath, input);
  const signature = openssl('dgst', '-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-sign', keyPath, inputPath);
  return `${input}.${b64url(signature)}`;
}

describe('tokens signed outside this codebase', () => {
  const k4096 = opensslKey(4096);

  test('openssl, RSA 4096 (the key spec of AWS sample), verified with the base64 DER', async () => {
    const token = opensslSign(k4096.key, { alg: 'PS384' }, awsPayload());
    const result = await verifyLicenseToken(token, {
      publicKey: k4096.der.toString('base64'),
      now: NOW,
      licenseArn: LICENSE_ARN,
      nodeId: 'runner-7',
      entitlements: 'Seats = 10',
    });
    assert.equal(result.valid, true, result.reason);
    assert.equal(result.valid && result.claims.issuedAt.toISOString(), '2026-03-01T11:00:00.000Z');
  });

  test('openssl, with typ and kid in the header, verified with the PEM', async () => {
    const token = opensslSign(k4096.key, { alg: 'PS384', typ: 'JWT', kid: 'arn:aws:kms:us-east-1:111122223333:key/1234' }, awsPayload());
    const result = await verifyLicenseToken(token, { publicKey: k4096.pem, now: NOW });
    assert.equal(result.valid, true, result.reason);
  });

  test('openssl, the AWS documentation payload verbatim', async () => {
    const published = JSON.parse(readFileSync(new URL('../fixtures/tokens/aws-documented-payload.json', import.meta.url), 'utf8')) as object;
    const token = opensslSign(k4096.key, { alg: 'PS384' }, published);
    const result = await verifyLicenseToken(token, { publicKey: k4096.pem, now: new Date('2021-04-13T12:00:00Z') });
    assert.equal(result.valid, true, result.reason);
    const late = await verifyLicenseToken(token, { publicKey: k4096.pem, now: new Date('2021-04-14T06:00:00Z') });
    assert.equal(late.code, 'expired');
  });

  test('openssl with the wrong salt length (32) is refused', async () => {
    const input = `${b64url('{"alg":"PS384"}')}.${b64url(JSON.stringify(awsPayload()))}`;
    writeFileSync(join(dir, 'input'), input);
    const signature = openssl('dgst', '-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sign', k4096.key, join(dir, 'input'));
    const result = await verifyLicenseToken(`${input}.${b64url(signature)}`, { publicKey: k4096.pem, now: NOW });
    assert.equal(result.code, 'signature-invalid');
  });

  test('WebCrypto (RSA-PSS, SHA-384, saltLength 48), verified with the exported JWK', async () => {
    const pair = await crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' },
      true,
      ['sign', 'verify'],
    );
    const input = `${b64url('{"alg":"PS384"}')}.${b64url(JSON.stringify(awsPayload()))}`;
    const signature = await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 48 }, pair.privateKey, new TextEncoder().encode(input));
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const result = await verifyLicenseToken(`${input}.${b64url(new Uint8Array(signature))}`, { publicKey: JSON.stringify(jwk), now: NOW });
    assert.equal(result.valid, true, result.reason);
  });
});
