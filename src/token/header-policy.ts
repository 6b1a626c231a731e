import { quote, refuse, type Refusal } from './refusal.js';
import { own, type JsonObject } from './strict-json.js';

/** What License Manager signs with (KMS RSASSA_PSS_SHA_384); nothing else is ever accepted. */
export const ALGORITHM = 'PS384';

/** Header members that name a key or certificate: the key must come from the verifier's input only. */
const KEY_REFERENCES = ['jku', 'x5u', 'jwk', 'x5c'];

/**
 * Members that change how the token is read (RFC 7797 unencoded payloads; compression is JWE's,
 * never JWS's). Their presence means the signer meant something this verifier does not do.
 */
const READING_CHANGES = ['b64', 'zip'];

/** Refuses a protected header that asks for anything beyond a plain PS384 signature. */
export function checkProtectedHeader(header: JsonObject): Refusal | undefined {
  const alg = own(header, 'alg');
  if (alg !== ALGORITHM) {
    const actual = alg === undefined ? 'the header has no alg' : `the header alg is ${quote(alg)}`;
    return refuse('alg-not-allowed', `${actual}; only ${ALGORITHM} is accepted`);
  }
  if (Object.hasOwn(header, 'crit')) {
    return refuse('crit-not-allowed', `the header lists critical extensions (crit ${quote(own(header, 'crit'))}); none are supported`);
  }
  const reference = KEY_REFERENCES.find((name) => Object.hasOwn(header, name));
  if (reference) {
    return refuse('key-reference-not-allowed', `the header carries ${reference}; the key comes only from the verifier's public key`);
  }
  const reading = READING_CHANGES.find((name) => Object.hasOwn(header, name));
  if (reading) return refuse('header-param-not-allowed', `the header carries ${reading}, which this verifier does not support`);
  for (const name of ['kid', 'typ', 'cty']) {
    const value = own(header, name);
    if (value !== undefined && typeof value !== 'string') return refuse('header-invalid', `the header ${name} is not a string`);
  }
  return undefined;
}
