import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { ALGORITHM } from './header-policy.js';
import { quote, refuse, type Refusal } from './refusal.js';

const MIN_BITS = 2048;
/** KMS goes up to 4096; far larger keys only make each verification slow. */
const MAX_BITS = 16384;
const MAX_KEY_CHARS = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/**
 * Turns the verifier's key input into an RSA public KeyObject. Accepted: PEM (`PUBLIC KEY`,
 * `RSA PUBLIC KEY`, or a certificate), an RSA JWK, base64 DER SubjectPublicKeyInfo (what KMS
 * GetPublicKey returns), raw DER bytes, or a KeyObject. Never throws; never echoes the input,
 * which could be a private key pasted by mistake.
 */
export function importPublicKey(input: unknown): KeyObject | Refusal {
  try {
    const key = parse(input);
    return key instanceof KeyObject ? checkRsa(key) : key;
  } catch {
    return refuse('key-invalid', 'the public key could not be read');
  }
}

function parse(input: unknown): KeyObject | Refusal {
  if (input instanceof KeyObject) return input.type === 'private' ? privateKey() : input;
  if (input instanceof Uint8Array) return fromDer(Buffer.from(input));
  if (typeof input !== 'string') return refuse('key-invalid', `the public key is a ${typeof input}, not text`);
  const text = input.trim();
  if (text === '') return refuse('key-invalid', 'the public key is empty');
  if (text.length > MAX_KEY_CHARS) return refuse('key-invalid', `the public key is longer than ${MAX_KEY_CHARS} characters`);
  if (text.startsWith('-----BEGIN ')) return fromPem(text);
  if (text.startsWith('{')) return fromJwk(text);
  if (BASE64.test(text)) return fromDer(Buffer.from(text, 'base64'));
  return refuse('key-invalid', 'the public key is not PEM, a JWK, or base64 DER');
}

function fromPem(text: string): KeyObject | Refusal {
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1] ?? '';
  if (label.includes('PRIVATE')) return privateKey();
  try {
    return createPublicKey(text);
  } catch {
    return refuse('key-invalid', `the PEM (${label || 'unlabelled'}) does not hold a public key`);
  }
}

function fromJwk(text: string): KeyObject | Refusal {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return refuse('key-invalid', 'the public key starts with { but is not JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return refuse('key-invalid', 'the JWK is not a JSON object');
  const members = jwk as Record<string, unknown>;
  if (Object.hasOwn(members, 'keys')) return refuse('key-invalid', 'the public key is a JWK Set; give the one key');
  if (members.kty !== 'RSA') return refuse('key-not-rsa', `the JWK kty is ${quote(members.kty ?? 'missing')}; an RSA key is required`);
  if (PRIVATE_JWK_MEMBERS.some((name) => Object.hasOwn(members, name))) return privateKey();
  if (members.alg !== undefined && members.alg !== ALGORITHM) {
    return refuse('key-invalid', `the JWK is for alg ${quote(members.alg)}; the key must be usable with ${ALGORITHM}`);
  }
  if (members.use !== undefined && members.use !== 'sig') return refuse('key-invalid', `the JWK use is ${quote(members.use)}, not "sig"`);
  try {
    return createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
  } catch {
    return refuse('key-invalid', 'the JWK is not a valid RSA public key');
  }
}

function fromDer(der: Buffer): KeyObject | Refusal {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  return refuse('key-invalid', 'the public key is neither PEM, a JWK, nor DER (SubjectPublicKeyInfo or PKCS#1) of an RSA public key');
}

function checkRsa(key: KeyObject): KeyObject | Refusal {
  if (key.type !== 'public') return refuse('key-not-rsa', `the key is a ${key.type} key, not an RSA public key`);
  if (key.asymmetricKeyType !== 'rsa') {
    return refuse('key-not-rsa', `the key is ${quote(key.asymmetricKeyType ?? 'unknown')}; ${ALGORITHM} needs an RSA key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS) return refuse('key-too-small', `the RSA key has ${bits} bits; at least ${MIN_BITS} are required`);
  if (bits > MAX_BITS) return refuse('key-invalid', `the RSA key has ${bits} bits; at most ${MAX_BITS} are accepted`);
  return key;
}

function privateKey(): Refusal {
  return refuse('key-is-private', 'the key given is a private key; give only the public key (and rotate the private one if it was exposed)');
}

/** The key as PEM SubjectPublicKeyInfo, to print for users to pin. */
export function toPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString().trim();
}
