import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import { describe, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, GetPublicKeyCommand, SignCommand, VerifyCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { RSA_SIGNING_ALGORITHMS } from '../../emulator/rsa-signatures.js';
import { expectAwsError, kmsClient, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const kms = () => kmsClient(h.emu);
const message = Buffer.from('license-gate says hello');

const algorithms = RSA_SIGNING_ALGORITHMS as readonly SigningAlgorithmSpec[];

describe('KMS', () => {
  test('CreateKey (KeySpec), DescribeKey, GetPublicKey', async () => {
    const created = await kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'd' }));
    const md = created.KeyMetadata;
    assert.match(md?.Arn ?? '', /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    assert.equal(md?.KeySpec, 'RSA_2048');
    assert.equal(md?.CustomerMasterKeySpec, 'RSA_2048');
    assert.equal(md?.KeyUsage, 'SIGN_VERIFY');
    assert.equal(md?.KeyState, 'Enabled');
    assert.ok(md?.CreationDate instanceof Date && Math.abs(md.CreationDate.getTime() - Date.now()) < 60_000);
    assert.deepEqual(md?.SigningAlgorithms, algorithms);

    for (const id of [md?.KeyId, md?.Arn]) {
      const described = await kms().send(new DescribeKeyCommand({ KeyId: id }));
      assert.equal(described.KeyMetadata?.Arn, md?.Arn);
    }
    const pub = await kms().send(new GetPublicKeyCommand({ KeyId: md?.KeyId }));
    assert.equal(pub.KeyId, md?.Arn);
    const key = createPublicKey({ key: Buffer.from(pub.PublicKey as Uint8Array), format: 'der', type: 'spki' });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  test('CreateKey accepts the older CustomerMasterKeySpec, refuses both at once, and unsupported specs', async () => {
    const created = await kms().send(new CreateKeyCommand({ CustomerMasterKeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }));
    assert.equal(created.KeyMetadata?.KeySpec, 'RSA_3072');
    await expectAwsError(kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await expectAwsError(kms().send(new CreateKeyCommand({ KeySpec: 'RSA_1024' as 'RSA_2048' })), 'ValidationException', { message: /'keySpec'/ });
    await expectAwsError(kms().send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException');
  });

  test('Sign and Verify, every RSA algorithm, RAW and DIGEST, cross-checked with node:crypto', async () => {
    const created = await kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const keyId = created.KeyMetadata?.KeyId as string;
    const pub = await kms().send(new GetPublicKeyCommand({ KeyId: keyId }));
    const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey as Uint8Array), format: 'der', type: 'spki' });
    for (const algorithm of algorithms) {
      const hash = `sha${algorithm.slice(-3)}`;
      const digest = createHash(hash).update(message).digest();
      const pss = algorithm.startsWith('RSASSA_PSS');
      for (const [MessageType, Message] of [['RAW', message], ['DIGEST', digest]] as const) {
        const signed = await kms().send(new SignCommand({ KeyId: keyId, Message, MessageType, SigningAlgorithm: algorithm }));
        assert.equal(signed.SigningAlgorithm, algorithm);
        const signature = Buffer.from(signed.Signature as Uint8Array);
        const ok = nodeVerify(hash, message, { key: publicKey, padding: pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING, saltLength: digest.length }, signature);
        assert.ok(ok, `${algorithm} ${MessageType} verifies with node:crypto`);
        const verified = await kms().send(new VerifyCommand({ KeyId: keyId, Message, MessageType, Signature: signature, SigningAlgorithm: algorithm }));
        assert.equal(verified.SignatureValid, true);
      }
    }
  });

  test('Verify of a bad signature: KMSInvalidSignatureException', async () => {
    const created = await kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const KeyId = created.KeyMetadata?.KeyId;
    const signed = await kms().send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const tampered = Buffer.from(signed.Signature as Uint8Array);
    tampered[10] = (tampered[10] as number) ^ 1;
    await expectAwsError(kms().send(new VerifyCommand({ KeyId, Message: message, Signature: tampered, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'KMSInvalidSignatureException');
    await expectAwsError(
      kms().send(new VerifyCommand({ KeyId, Message: Buffer.from('other'), Signature: signed.Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      'KMSInvalidSignatureException',
    );
  });

  test('errors: unknown key, wrong key usage, wrong digest length, missing members', async () => {
    await expectAwsError(kms().send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })), 'NotFoundException', { message: /does not exist/ });
    await expectAwsError(kms().send(new GetPublicKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException');
    const enc = await kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048' }));
    assert.equal(enc.KeyMetadata?.KeyUsage, 'ENCRYPT_DECRYPT');
    await expectAwsError(kms().send(new SignCommand({ KeyId: enc.KeyMetadata?.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'InvalidKeyUsageException');
    const sig = await kms().send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const KeyId = sig.KeyMetadata?.KeyId;
    await expectAwsError(kms().send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    await expectAwsError(kms().send(new SignCommand({ KeyId, Message: Buffer.alloc(20), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'ValidationException', {
      message: /Digest is invalid length/,
    });
    await expectAwsError(kms().send(new SignCommand({ KeyId, Message: Buffer.alloc(4097), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'ValidationException', {
      message: /'message'.*less than or equal to 4096/,
    });
    await expectAwsError(kms().send(new SignCommand({ KeyId } as never)), 'ValidationException', { message: /Value null at 'message'.*Value null at 'signingAlgorithm'/ });
  });
});
