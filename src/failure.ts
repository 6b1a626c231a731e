/**
 * Every way an AWS call can end other than success, in the terms the action acts on:
 * - not-entitled: the license exists but grants nothing (more) right now; a seat wait may retry it.
 * - unavailable: throttled, server error or network failure that survived the SDK's retries.
 * - denied: the caller's identity may not make this call.
 * - bad-credentials: credentials were sent and refused (unknown key, bad signature, expired session).
 * - no-credentials: nothing to sign with.
 * - misconfigured: the request itself is wrong (validation, unsupported method, wrong region).
 * - not-found: the license or consumption does not exist (a checked-in or expired token looks like this).
 * - conflict: the service refused the state change (e.g. check-in not allowed).
 */
export type FailureKind =
  | 'not-entitled'
  | 'unavailable'
  | 'denied'
  | 'bad-credentials'
  | 'no-credentials'
  | 'misconfigured'
  | 'not-found'
  | 'conflict';

export class AwsFailure extends Error {
  override readonly name = 'AwsFailure';
  constructor(
    readonly kind: FailureKind,
    /** The API operation, e.g. 'CheckoutLicense' or 'sts:AssumeRoleWithWebIdentity'. */
    readonly operation: string,
    /** AWS's error name, e.g. 'NoEntitlementsAllowedException'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A failure the action reports as it stands: one line, already explained. */
export class ActionFailure extends Error {
  override readonly name = 'ActionFailure';
}
