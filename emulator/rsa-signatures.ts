/**
 * RSASSA-PSS and RSASSA-PKCS1-v1_5 over a precomputed digest. KMS signs either a message
 * or a digest (MessageType DIGEST); node:crypto only signs messages, so the encodings of
 * RFC 8017 (EMSA-PSS with salt length = hash length, as KMS uses, and EMSA-PKCS1-v1_5)
 * are applied here and the raw RSA operation is left to node.
 */
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

export type RsaSigningAlgorithm =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512';

export const RSA_SIGNING_ALGORITHMS: readonly RsaSigningAlgorithm[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];

const HASHES = { '256': { name: 'sha256', length: 32 }, '384': { name: 'sha384', length: 48 }, '512': { name: 'sha512', length: 64 } } as const;

/** ASN.1 DigestInfo prefixes (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function hashOf(algorithm: RsaSigningAlgorithm): { name: string; length: number } {
  return HASHES[algorithm.slice(-3) as keyof typeof HASHES];
}

const isPss = (algorithm: RsaSigningAlgorithm): boolean => algorithm.startsWith('RSASSA_PSS');

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const chunks: Buffer[] = [];
  for (let counter = 0; Buffer.concat(chunks).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    chunks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(chunks).subarray(0, length);
}

function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new Error('not an RSA key');
  return bits;
}

function pssHashOf(mHash: Buffer, salt: Buffer, hash: string): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
}

function pssEncode(mHash: Buffer, emBits: number, hash: { name: string; length: number }): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hash.length);
  const h = pssHashOf(mHash, salt, hash.name);
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hash.length - 2), Buffer.from([1]), salt]);
  const masked = xor(db, mgf1(h, db.length, hash.name));
  masked[0] = (masked[0] as number) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([masked, h, Buffer.from([0xbc])]);
}

function pssVerify(mHash: Buffer, em: Buffer, emBits: number, hash: { name: string; length: number }): boolean {
  const emLen = Math.ceil(emBits / 8);
  const encoded = em.subarray(em.length - emLen);
  if (encoded[emLen - 1] !== 0xbc) return false;
  const masked = encoded.subarray(0, emLen - hash.length - 1);
  const h = encoded.subarray(emLen - hash.length - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((masked[0] as number) & ~topMask) !== 0) return false;
  const db = xor(masked, mgf1(h, masked.length, hash.name));
  db[0] = (db[0] as number) & topMask;
  const separator = db.length - hash.length - 1;
  if (db[separator] !== 1 || db.subarray(0, separator).some((b) => b !== 0)) return false;
  return timingSafeEqual(pssHashOf(mHash, db.subarray(separator + 1), hash.name), h);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

export function signDigest(privateKey: KeyObject, algorithm: RsaSigningAlgorithm, digest: Buffer): Buffer {
  const hash = hashOf(algorithm);
  if (isPss(algorithm)) {
    const bits = modulusBits(privateKey);
    const em = pssEncode(digest, bits - 1, hash);
    const padded = Buffer.concat([Buffer.alloc(bits / 8 - em.length), em]);
    return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, padded);
  }
  const digestInfo = Buffer.concat([Buffer.from(DIGEST_INFO[hash.name] as string, 'hex'), digest]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
}

export function verifyDigest(publicKey: KeyObject, algorithm: RsaSigningAlgorithm, digest: Buffer, signature: Buffer): boolean {
  const hash = hashOf(algorithm);
  const bits = modulusBits(publicKey);
  if (signature.length !== Math.ceil(bits / 8)) return false;
  try {
    if (isPss(algorithm)) {
      return pssVerify(digest, publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature), bits - 1, hash);
    }
    const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    const expected = Buffer.concat([Buffer.from(DIGEST_INFO[hash.name] as string, 'hex'), digest]);
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  } catch {
    // A signature that is not a valid RSA value (e.g. >= modulus) is simply invalid.
    return false;
  }
}
