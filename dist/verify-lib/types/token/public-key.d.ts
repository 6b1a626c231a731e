import { KeyObject } from 'node:crypto';
import { type Refusal } from './refusal.js';
/**
 * Turns the verifier's key input into an RSA public KeyObject. Accepted: PEM (`PUBLIC KEY`,
 * `RSA PUBLIC KEY`, or a certificate), an RSA JWK, base64 DER SubjectPublicKeyInfo (what KMS
 * GetPublicKey returns), raw DER bytes, or a KeyObject. Text is only ever parsed, never taken as
 * a file path. Never throws; never echoes the input, which could be a private key pasted by mistake.
 */
export declare function importPublicKey(input: unknown): KeyObject | Refusal;
/** The key as PEM SubjectPublicKeyInfo, to print for users to pin. */
export declare function toPem(key: KeyObject): string;
