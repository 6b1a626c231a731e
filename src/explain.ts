import { redactedMessage } from './aws/classify-error.js';
import type { AwsFailure } from './failure.js';

/** The IAM action a License Manager (or STS/KMS) operation needs, for "your role lacks X". */
function iamAction(operation: string): string {
  return operation.includes(':') ? operation : `license-manager:${operation}`;
}

/**
 * Turns an AWS failure into a line a user can act on. `subject` names what was asked
 * (license, SKU, fingerprint) so the message stands alone in a job log.
 */
export function explainFailure(failure: AwsFailure, subject: string): string {
  // AWS's text is redacted here too, however the failure was made: a line never carries a credential.
  const f = { kind: failure.kind, operation: failure.operation, code: failure.code, message: redactedMessage(failure.message) };
  switch (f.kind) {
    case 'denied':
      return `${f.operation} was denied (${f.code}): the job's AWS identity lacks ${iamAction(f.operation)} for ${subject}. Grant it in the role's policy. AWS said: ${f.message}`;
    case 'no-credentials':
      return `No AWS credentials for ${f.operation}: add aws-actions/configure-aws-credentials before this step, or give the license-token and role-arn inputs.`;
    case 'bad-credentials':
      return `${f.operation} refused the job's AWS credentials (${f.code}): check the access key, secret and session token, and that the session has not expired. AWS said: ${f.message}`;
    case 'unavailable':
      return `${f.operation} failed after retries (${f.code}): License Manager is throttling or unavailable. This is not a licensing decision; re-run the job. AWS said: ${f.message}`;
    case 'misconfigured':
      return `${f.operation} rejected the request (${f.code}) for ${subject}: ${f.message}`;
    case 'not-found':
      return `${f.operation}: ${subject} was not found (${f.code}): check the ARN and the region. AWS said: ${f.message}`;
    case 'conflict':
      return `${f.operation} was refused (${f.code}) for ${subject}: ${f.message}`;
    case 'not-entitled':
      return `${f.operation}: not entitled (${f.code}) to ${subject}. AWS said: ${f.message}`;
  }
}
