// Tokens in AWS's format, signed here with node:crypto alone (not with the code under test).
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const LICENSE_ARN = 'arn:aws:license-manager::111122223333:license:l-0123456789abcdef0123456789abcdef';
export const NOW = new Date('2026-03-01T12:00:00Z');

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const pairs = new Map<string, KeyPair>();

/** RSA key pairs, generated once per process and name (2048 bits keeps the tests quick). */
export function rsaKeys(name = 'issuer', bits = 2048): KeyPair {
  const id = `${name}/${bits}`;
  let pair = pairs.get(id);
  if (!pair) {
    pair = generateKeyPairSync('rsa', { modulusLength: bits });
    pairs.set(id, pair);
  }
  return pair;
}

export function b64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** The payload CheckoutBorrowLicense signs, as AWS's documentation shows it. */
export function awsPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    licenseArn: LICENSE_ARN,
    licenseConsumptionToken: '0cd7b2bc7c674573a669bea8f5b75f2d',
    entitlementsAllowed: [
      { name: 'Seats', value: '10', unit: 'Count' },
      { name: 'Storage', value: '2.5', unit: 'Gigabytes' },
    ],
    nodeId: 'runner-7',
    issuedAt: '2026-03-01T11:00:00',
    expiration: '2026-03-02T11:00:00',
    checkoutMetadata: { Mac: 'ABCDEFGHI' },
    ...overrides,
  };
}

export type Signer = (input: Buffer, key: KeyObject) => Buffer;

const pss = (hash: string, saltLength: number): Signer => (input, key) =>
  sign(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

export const SIGNERS = {
  PS384: pss('sha384', 48),
  PS256: pss('sha256', 32),
  PS512: pss('sha512', 64),
  RS256: ((input, key) => sign('sha256', input, key)) as Signer,
  ES256: ((input, key) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })) as Signer,
} satisfies Record<string, Signer>;

/** Signs raw header and payload text, so tests can sign malformed JSON as well. */
export function signRaw(headerText: string, payloadText: string, key: KeyObject = rsaKeys().privateKey, signer: Signer = SIGNERS.PS384): string {
  const input = `${b64url(headerText)}.${b64url(payloadText)}`;
  return `${input}.${b64url(signer(Buffer.from(input), key))}`;
}

export function signToken(
  payload: Record<string, unknown> = awsPayload(),
  header: Record<string, unknown> = { alg: 'PS384' },
  key: KeyObject = rsaKeys().privateKey,
  signer: Signer = SIGNERS.PS384,
): string {
  return signRaw(JSON.stringify(header), JSON.stringify(payload), key, signer);
}

/** The classic confusion attack: HS256 keyed with the verifier's own public key. */
export function hmacWithPublicKey(payload: Record<string, unknown> = awsPayload()): string {
  const pem = rsaKeys().publicKey.export({ type: 'spki', format: 'pem' });
  const input = `${b64url(JSON.stringify({ alg: 'HS256' }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(createHmac('sha256', pem).update(input).digest())}`;
}

export function publicPem(pair: KeyPair = rsaKeys()): string {
  return pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
