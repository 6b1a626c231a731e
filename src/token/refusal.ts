import { escapeControls } from '../quote.js';

/**
 * Why a token was refused. Codes are stable (scripts and ISVs branch on them); reasons are for
 * people and may change wording.
 */
export type RefusalCode =
  // the public key given to the verifier
  | 'key-invalid'
  | 'key-is-private'
  | 'key-not-rsa'
  | 'key-too-small'
  // the compact serialization
  | 'token-malformed'
  | 'token-too-large'
  | 'token-not-base64url'
  | 'header-invalid'
  | 'payload-invalid'
  | 'duplicate-member'
  // the protected header
  | 'alg-not-allowed'
  | 'crit-not-allowed'
  | 'key-reference-not-allowed'
  | 'header-param-not-allowed'
  // the signature
  | 'signature-invalid'
  // the claims
  | 'claim-missing'
  | 'claim-invalid'
  // time
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future'
  | 'expiration-before-issued'
  | 'clock-set-back'
  | 'state-file-error'
  // what the caller expects
  | 'license-arn-mismatch'
  | 'node-id-mismatch'
  | 'entitlement-missing'
  | 'entitlement-insufficient'
  | 'entitlement-unit-mismatch'
  | 'options-invalid';

export interface Refusal {
  valid: false;
  code: RefusalCode;
  /** One line for people; never contains the token. */
  reason: string;
}

export function refuse(code: RefusalCode, reason: string): Refusal {
  return { valid: false, code, reason };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as Refusal).valid === false;
}

const MAX_QUOTED = 80;

/**
 * Quotes a value that came from the token for use in a reason. JSON escaping keeps newlines and
 * control characters out of log lines (where they could start a workflow command), with the ones
 * JSON leaves as they are (DEL, C1, U+2028/9) escaped too, and the length cap keeps a hostile
 * claim from flooding the log.
 */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const short = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return escapeControls(JSON.stringify(short));
}
