import { constants, verify, type KeyObject } from 'node:crypto';
import { parseCompactJws, type CompactJws } from './compact-jws.js';
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
  const signatureProblem = await checkSignature(jws, key);
  if (signatureProblem) return signatureProblem;
  const claims = readClaims(jws.payload);
  const result = isRefusal(claims) ? claims : await judge(claims, policy);
  if (policy.stateFile === undefined || result.code === 'state-file-error') return result;
  // Past the signature, whatever the verdict, this check saw the clock at policy.now: it is
  // recorded for refusals too, or a clock set back after a refusal for `expired` would revive the token.
  const unrecorded = await recordNewestSeen(policy.stateFile, seenAt(policy, claims));
  // A refusal stands as it is; a token is valid only once its time is on record.
  return unrecorded && result.valid ? unrecorded : result;
}

function readClaims(payloadBytes: Buffer): LicenseClaims | Refusal {
  const payload = parseJsonObject(payloadBytes);
  if ('problem' in payload) {
    return payload.duplicate === undefined
      ? refuse('payload-invalid', `the payload ${payload.problem}`)
      : refuse('duplicate-member', `the payload has the member ${JSON.stringify(payload.duplicate.slice(0, 80))} twice`);
  }
  return readLicenseClaims(payload.object);
}

async function judge(claims: LicenseClaims, policy: VerifyPolicy): Promise<VerifyResult> {
  const newestSeen = policy.stateFile === undefined ? undefined : await readNewestSeen(policy.stateFile);
  if (isRefusal(newestSeen)) return newestSeen;
  const problem =
    checkValidity(claims, { now: policy.now, skewMs: policy.clockSkewMs, ...(newestSeen ? { newestSeen } : {}) }) ??
    checkExpectations(claims, policy);
  if (problem) return problem;
  return { valid: true, code: 'valid', reason: `the token is valid until ${formatIsoTime(claims.expiration)}`, claims };
}

/**
 * The newest time this check can vouch for: now, or the token's signed issuedAt when it is later
 * but within the skew (AWS's clock then proves ours a little behind). An issuedAt beyond the skew
 * is refused, and is not recorded either: a watermark in the future would refuse every check.
 */
function seenAt(policy: VerifyPolicy, claims: LicenseClaims | Refusal): Date {
  const now = policy.now.getTime();
  const issued = isRefusal(claims) ? now : claims.issuedAt.getTime();
  return new Date(issued > now && issued <= now + policy.clockSkewMs ? issued : now);
}

/**
 * RSASSA-PSS with SHA-384 and a 48-byte salt (RFC 7518 §3.5) over the exact signing input.
 * node:crypto, not WebCrypto: loading WebCrypto costs an offline step more than the whole check.
 * The signature must be exactly as long as the modulus (RFC 8017 §8.1.2): OpenSSL also accepts it
 * with leading zero bytes left out, which would give one token a second text.
 */
async function checkSignature(jws: CompactJws, key: KeyObject): Promise<Refusal | undefined> {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (jws.signature.length !== modulusBytes) {
    return refuse('signature-invalid', `the signature is ${jws.signature.length} bytes, not the ${modulusBytes} of the public key's modulus`);
  }
  const input = Buffer.from(jws.compact.slice(0, jws.compact.lastIndexOf('.')), 'ascii');
  let verified = false;
  try {
    verified = verify('sha384', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, jws.signature);
  } catch {
    // a signature the key cannot even process is refused like any other
  }
  return verified ? undefined : refuse('signature-invalid', `the signature does not verify with the given public key (${ALGORITHM})`);
}
