import { constants, verify, type KeyObject } from 'node:crypto';
import { parseCompactJws } from './compact-jws.js';
import { checkExpectations, type Expectations } from './expectations.js';
import { ALGORITHM, checkProtectedHeader } from './header-policy.js';
import { formatIsoTime } from './iso-time.js';
import { readLicenseClaims, type LicenseClaims } from './license-claims.js';
import { isRefusal, refuse, type Refusal } from './refusal.js';
import { readNewestSeen, recordNewestSeen } from './state-file.js';
import { parseJsonObject } from './strict-json.js';
import { checkValidity } from './validity.js';

export interface VerifiedToken {
  valid: true;
  code: 'valid';
  reason: string;
  claims: LicenseClaims;
}

export type VerifyResult = VerifiedToken | Refusal;

export interface VerifyPolicy extends Expectations {
  now: Date;
  clockSkewMs: number;
  /** Path of the file remembering the newest time seen; omitted: no clock-set-back protection. */
  stateFile?: string;
}

/**
 * Verifies a License Manager borrowed token against an RSA public key (see importPublicKey).
 * Order matters: structure and header first, then the signature, and only then is anything in
 * the payload read. Never throws for a bad token.
 */
export async function verifyToken(token: unknown, key: KeyObject, policy: VerifyPolicy): Promise<VerifyResult> {
  const jws = parseCompactJws(token);
  if (isRefusal(jws)) return jws;
  const headerProblem = checkProtectedHeader(jws.header);
  if (headerProblem) return headerProblem;
  if (!(await signatureVerifies(jws.compact, key))) {
    return refuse('signature-invalid', `the signature does not verify with the given public key (${ALGORITHM})`);
  }
  const payload = parseJsonObject(jws.payload);
  if ('problem' in payload) {
    return payload.duplicate === undefined
      ? refuse('payload-invalid', `the payload ${payload.problem}`)
      : refuse('duplicate-member', `the payload has the member ${JSON.stringify(payload.duplicate.slice(0, 80))} twice`);
  }
  const claims = readLicenseClaims(payload.object);
  if (isRefusal(claims)) return claims;
  const newestSeen = policy.stateFile === undefined ? undefined : await readNewestSeen(policy.stateFile);
  if (isRefusal(newestSeen)) return newestSeen;
  const problem =
    checkValidity(claims, { now: policy.now, skewMs: policy.clockSkewMs, ...(newestSeen ? { newestSeen } : {}) }) ??
    checkExpectations(claims, policy);
  if (problem) return problem;
  if (policy.stateFile !== undefined) {
    const newest = Math.max(policy.now.getTime(), claims.issuedAt.getTime(), newestSeen?.getTime() ?? 0);
    const unrecorded = await recordNewestSeen(policy.stateFile, new Date(newest));
    if (unrecorded) return unrecorded;
  }
  return { valid: true, code: 'valid', reason: `the token is valid until ${formatIsoTime(claims.expiration)}`, claims };
}

/**
 * RSASSA-PSS with SHA-384 and a 48-byte salt (RFC 7518 §3.5) over the exact signing input.
 * node:crypto, not WebCrypto: loading WebCrypto costs an offline step more than the whole check.
 */
async function signatureVerifies(compact: string, key: KeyObject): Promise<boolean> {
  const lastDot = compact.lastIndexOf('.');
  const signature = Buffer.from(compact.slice(lastDot + 1), 'base64url');
  try {
    return verify('sha384', Buffer.from(compact.slice(0, lastDot), 'ascii'), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature);
  } catch {
    return false;
  }
}
