/**
 * KMS asymmetric signing keys: CreateKey, DescribeKey, GetPublicKey, Sign, Verify.
 * Keys are real RSA keys from node:crypto, generated per emulator instance (nothing cached).
 */
import { createHash, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AwsError } from './errors.js';
import { RSA_SIGNING_ALGORITHMS, hashOf, signDigest, verifyDigest, type RsaSigningAlgorithm } from './rsa-signatures.js';
import type { ServiceDefinition } from './service.js';
import { bool, enumOf, list, str, struct, validate } from './validation.js';

const generateRsa = promisify(generateKeyPair);

const RSA_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const ALL_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
];
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];
const SIGNING_ALGORITHM_NAMES = [...RSA_SIGNING_ALGORITHMS, 'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256'];
const ENCRYPTION_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

const keyId = str({ min: 1, max: 2048 });
const createKeyShape = struct({
  Description: str({ max: 8192 }),
  KeyUsage: enumOf(KEY_USAGES),
  KeySpec: enumOf(ALL_KEY_SPECS),
  CustomerMasterKeySpec: enumOf(ALL_KEY_SPECS),
  Origin: enumOf(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']),
  MultiRegion: bool(),
  Policy: str({ min: 1, max: 131072 }),
  Tags: list(struct({ TagKey: str({ min: 1, max: 128 }), TagValue: str({ max: 256 }) }, ['TagKey', 'TagValue'])),
});
const keyIdShape = struct({ KeyId: keyId, GrantTokens: list(str()) }, ['KeyId']);
const signingMembers = {
  KeyId: keyId,
  Message: str({ sensitive: true }),
  MessageType: enumOf(['RAW', 'DIGEST', 'EXTERNAL_MU']),
  SigningAlgorithm: enumOf(SIGNING_ALGORITHM_NAMES),
  GrantTokens: list(str()),
  DryRun: bool(),
};
const signShape = struct(signingMembers, ['KeyId', 'Message', 'SigningAlgorithm']);
const verifyShape = struct({ ...signingMembers, Signature: str() }, ['KeyId', 'Message', 'Signature', 'SigningAlgorithm']);

export interface KmsKey {
  keyId: string;
  arn: string;
  keySpec: string;
  keyUsage: string;
  description: string;
  creationDate: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** KMS blobs travel as base64 in JSON; sizes are checked on the decoded bytes as the model does. */
function decodeBlob(value: string, member: string, max: number): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) throw new AwsError('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  if (bytes.length > max) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return bytes;
}

export class KmsEmulator {
  private readonly keys = new Map<string, KmsKey>();

  constructor(private readonly accountId: string, private readonly region: string) {}

  /** Accepts a key id or key ARN, as KMS does; aliases are not emulated. */
  resolve(id: string): KmsKey {
    const key = this.keys.get(id) ?? this.keys.get(id.replace(/^arn:aws[a-z-]*:kms:[^:]*:\d{12}:key\//, ''));
    if (!key || (id.startsWith('arn:') && key.arn !== id)) {
      throw new AwsError('NotFoundException', id.startsWith('alias/') ? `Alias arn:aws:kms:${this.region}:${this.accountId}:${id} is not found.` : `Key '${this.describeId(id)}' does not exist`);
    }
    return key;
  }

  private describeId(id: string): string {
    return id.startsWith('arn:') ? id : `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`;
  }

  /** Signs `digest` with a SIGN_VERIFY RSA key; used by Sign and by License Manager's borrowed tokens. */
  signDigest(key: KmsKey, algorithm: string, digest: Buffer): Buffer {
    return signDigest(key.privateKey, this.checkSigning(key, algorithm), digest);
  }

  private checkSigning(key: KmsKey, algorithm: string): RsaSigningAlgorithm {
    if (key.keyUsage !== 'SIGN_VERIFY') {
      throw new AwsError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} which is not valid for signing.`);
    }
    if (!(RSA_SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new AwsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
    }
    return algorithm as RsaSigningAlgorithm;
  }

  private digestFor(algorithm: RsaSigningAlgorithm, message: Buffer, messageType: string | undefined): Buffer {
    const hash = hashOf(algorithm);
    if (messageType === 'DIGEST') {
      if (message.length !== hash.length) throw new AwsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
      return message;
    }
    if (messageType === 'EXTERNAL_MU') throw new AwsError('InvalidKeyUsageException', 'EXTERNAL_MU is only valid for ML-DSA keys.');
    return createHash(hash.name).update(message).digest();
  }

  private metadata(key: KmsKey): Record<string, unknown> {
    return {
      AWSAccountId: this.accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: key.creationDate / 1000,
      Enabled: true,
      Description: key.description,
      KeyUsage: key.keyUsage,
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      MultiRegion: false,
      ...this.algorithms(key),
    };
  }

  private algorithms(key: KmsKey): Record<string, string[]> {
    return key.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: [...RSA_SIGNING_ALGORITHMS] } : { EncryptionAlgorithms: ENCRYPTION_ALGORITHMS };
  }

  private async createKey(raw: unknown, now: number): Promise<unknown> {
    const input = validate(createKeyShape, raw);
    if (input.KeySpec && input.CustomerMasterKeySpec) {
      throw new AwsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
    }
    const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
    const bits = RSA_BITS[keySpec];
    if (bits === undefined) throw new AwsError('UnsupportedOperationException', `KeySpec ${keySpec} is not supported by this emulator (only RSA_2048, RSA_3072, RSA_4096).`);
    const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
    if (keyUsage !== 'SIGN_VERIFY' && keyUsage !== 'ENCRYPT_DECRYPT') {
      throw new AwsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    }
    const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: bits });
    const id = randomUUID();
    const key: KmsKey = {
      keyId: id,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`,
      keySpec,
      keyUsage,
      description: input.Description ?? '',
      creationDate: now,
      privateKey,
      publicKey,
    };
    this.keys.set(id, key);
    return { KeyMetadata: this.metadata(key) };
  }

  private sign(raw: unknown): unknown {
    const input = validate(signShape, raw);
    const key = this.resolve(input.KeyId);
    const algorithm = this.checkSigning(key, input.SigningAlgorithm);
    const digest = this.digestFor(algorithm, decodeBlob(input.Message, 'message', 4096), input.MessageType);
    if (input.DryRun) throw new AwsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 412);
    return { KeyId: key.arn, Signature: signDigest(key.privateKey, algorithm, digest).toString('base64'), SigningAlgorithm: algorithm };
  }

  private verify(raw: unknown): unknown {
    const input = validate(verifyShape, raw);
    const key = this.resolve(input.KeyId);
    const algorithm = this.checkSigning(key, input.SigningAlgorithm);
    const digest = this.digestFor(algorithm, decodeBlob(input.Message, 'message', 4096), input.MessageType);
    const signature = decodeBlob(input.Signature, 'signature', 6144);
    if (!verifyDigest(key.publicKey, algorithm, digest, signature)) throw new AwsError('KMSInvalidSignatureException', '');
    return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
  }

  service(): ServiceDefinition {
    return {
      signingName: 'kms',
      unsignedOperations: new Set(),
      throttled: () => new AwsError('ThrottlingException', 'Rate exceeded'),
      accessDenied: (message) => new AwsError('AccessDeniedException', message),
      serverError: () => new AwsError('KMSInternalException', 'An internal error occurred.', 500),
      operations: {
        CreateKey: (raw, ctx) => this.createKey(raw, ctx.now),
        DescribeKey: (raw) => ({ KeyMetadata: this.metadata(this.resolve(validate(keyIdShape, raw).KeyId)) }),
        GetPublicKey: (raw) => {
          const key = this.resolve(validate(keyIdShape, raw).KeyId);
          return {
            KeyId: key.arn,
            PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
            CustomerMasterKeySpec: key.keySpec,
            KeySpec: key.keySpec,
            KeyUsage: key.keyUsage,
            ...this.algorithms(key),
          };
        },
        Sign: (raw) => this.sign(raw),
        Verify: (raw) => this.verify(raw),
      },
    };
  }
}
