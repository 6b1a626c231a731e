import { createPrivateKey, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { ALGORITHM } from './header-policy.js';
import { quote, refuse, type Refusal } from './refusal.js';
import { parseJsonObject } from './strict-json.js';

const MIN_BITS = 2048;
/** KMS goes up to 4096; far larger keys only make each verification slow. */
const MAX_BITS = 16384;
const MAX_KEY_CHARS = 64 * 1024;
/** KMS's RSA keys use 65537; with a small exponent (1 above all) a signature can be made without the private key. */
const EXPONENT = 65537n;
// Whitespace is removed before this test: the pattern then has nothing to backtrack over.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const WHITESPACE = /\s+/g;
const PEM_BEGIN = '-----BEGIN ';
const PEM_LABEL = /^-----BEGIN ([A-Z0-9 ]{1,64})-----/;
const PEM_LABELS = /-----BEGIN ([A-Z0-9 ]{0,64})/g;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const PRIVATE_DER_TYPES = ['pkcs8', 'pkcs1', 'sec1'] as const;

/**
 * Turns the verifier's key input into an RSA public KeyObject. Accepted: PEM (`PUBLIC KEY`,
 * `RSA PUBLIC KEY`, or a certificate), an RSA JWK, base64 DER SubjectPublicKeyInfo (what KMS
 * GetPublicKey returns), raw DER bytes, or a KeyObject. Text is only ever parsed, never taken as
 * a file path. Never throws; never echoes the input, which could be a private key pasted by mistake.
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
  if (input instanceof Uint8Array) {
    if (input.length > MAX_KEY_CHARS) return refuse('key-invalid', `the public key is longer than ${MAX_KEY_CHARS} bytes`);
    return fromDer(Buffer.from(input));
  }
  if (typeof input !== 'string') return refuse('key-invalid', `the public key is a ${typeof input}, not text`);
  const text = input.trim();
  if (text === '') return refuse('key-invalid', 'the public key is empty');
  if (text.length > MAX_KEY_CHARS) return refuse('key-invalid', `the public key is longer than ${MAX_KEY_CHARS} characters`);
  if (text.startsWith(PEM_BEGIN)) return fromPem(text);
  if (text.startsWith('{')) return fromJwk(text);
  const base64 = text.replace(WHITESPACE, '');
  if (BASE64.test(base64)) return fromDer(Buffer.from(base64, 'base64'));
  return refuse('key-invalid', 'the public key is not PEM, a JWK, or base64 DER');
}

/**
 * Exactly one block, and nothing after it: Node reads the first block of PEM text and ignores the
 * rest, so a second key (or a private one) beside the public key would pass unseen.
 */
function fromPem(text: string): KeyObject | Refusal {
  const labels = [...text.matchAll(PEM_LABELS)].map((m) => m[1]!);
  if (labels.some((label) => label.includes('PRIVATE'))) return privateKey();
  if (labels.length !== 1) return refuse('key-invalid', `the PEM text holds ${labels.length} blocks; give exactly one public key`);
  const header = PEM_LABEL.exec(text);
  if (!header) return refuse('key-invalid', 'the PEM text does not start with a -----BEGIN <label>----- line');
  const label = header[1]!;
  const footer = `-----END ${label}-----`;
  if (!text.endsWith(footer) || text.indexOf('-----END') !== text.length - footer.length) {
    return refuse('key-invalid', `the PEM (${label}) does not end with its ${footer} line, or has text after it`);
  }
  const body = text.slice(header[0].length, -footer.length).replace(WHITESPACE, '');
  if (!BASE64.test(body)) return refuse('key-invalid', `the PEM (${label}) body is not base64`);
  const der = Buffer.from(body, 'base64');
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') {
    const key = fromDer(der);
    return key instanceof KeyObject || key.code === 'key-is-private' ? key : refuse('key-invalid', `the PEM (${label}) does not hold a public key`);
  }
  if (isPrivateDer(der)) return privateKey();
  try {
    return createPublicKey(text);
  } catch {
    return refuse('key-invalid', `the PEM (${label}) does not hold a public key`);
  }
}

function fromJwk(text: string): KeyObject | Refusal {
  const parsed = parseJsonObject(Buffer.from(text));
  if ('problem' in parsed) return refuse('key-invalid', `the public key starts with { but ${parsed.problem === 'has a duplicate member' ? 'has a member twice' : 'is not a JSON object'}`);
  const members = parsed.object;
  if (Object.hasOwn(members, 'keys')) return refuse('key-invalid', 'the public key is a JWK Set; give the one key');
  if (members.kty !== 'RSA') return refuse('key-not-rsa', `the JWK kty is ${quote(members.kty ?? 'missing')}; an RSA key is required`);
  if (PRIVATE_JWK_MEMBERS.some((name) => Object.hasOwn(members, name))) return privateKey();
  if (Object.hasOwn(members, 'alg') && members.alg !== ALGORITHM) {
    return refuse('key-invalid', `the JWK is for alg ${quote(members.alg)}; the key must be usable with ${ALGORITHM}`);
  }
  // The key's own statement of what it is for (RFC 7517 §4.2, §4.3): a key not meant for
  // verifying signatures is not used for it.
  if (Object.hasOwn(members, 'use') && members.use !== 'sig') return refuse('key-invalid', `the JWK use is ${quote(members.use)}, not "sig"`);
  if (Object.hasOwn(members, 'key_ops')) {
    const ops = members.key_ops;
    if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string')) return refuse('key-invalid', 'the JWK key_ops is not a list of operation names');
    if (!ops.includes('verify')) return refuse('key-invalid', `the JWK key_ops ${quote(ops)} do not include "verify"`);
  }
  try {
    return createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
  } catch {
    return refuse('key-invalid', 'the JWK is not a valid RSA public key');
  }
}

function fromDer(der: Buffer): KeyObject | Refusal {
  for (const type of ['spki', 'pkcs1'] as const) {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: der, format: 'der', type });
    } catch {
      continue;
    }
    // Node derives the public key from a private one given here: only bytes that are exactly
    // the public key's own encoding are taken as one.
    if (key.export({ type, format: 'der' }).equals(der)) return key;
    break;
  }
  if (isPrivateDer(der)) return privateKey();
  return refuse('key-invalid', 'the public key is neither PEM, a JWK, nor DER (SubjectPublicKeyInfo or PKCS#1) of an RSA public key');
}

/** DER that parses as a private key (PKCS#8, encrypted or not, PKCS#1 or SEC 1). */
function isPrivateDer(der: Buffer): boolean {
  for (const type of PRIVATE_DER_TYPES) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE') return true;
    }
  }
  return false;
}

function checkRsa(key: KeyObject): KeyObject | Refusal {
  if (key.type !== 'public') return refuse('key-not-rsa', `the key is a ${key.type} key, not an RSA public key`);
  if (key.asymmetricKeyType !== 'rsa') {
    return refuse('key-not-rsa', `the key is ${quote(key.asymmetricKeyType ?? 'unknown')}; ${ALGORITHM} needs an RSA key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS) return refuse('key-too-small', `the RSA key has ${bits} bits; at least ${MIN_BITS} are required`);
  if (bits > MAX_BITS) return refuse('key-invalid', `the RSA key has ${bits} bits; at most ${MAX_BITS} are accepted`);
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  if (exponent !== EXPONENT) {
    return refuse('key-invalid', `the RSA key has public exponent ${String(exponent ?? 'unknown').slice(0, 40)}; only ${EXPONENT} (what KMS uses) is accepted`);
  }
  return key;
}

function privateKey(): Refusal {
  return refuse('key-is-private', 'the key given is a private key; give only the public key (and rotate the private one if it was exposed)');
}

/** The key as PEM SubjectPublicKeyInfo, to print for users to pin. */
export function toPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString().trim();
}
