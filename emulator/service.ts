/** What every emulated service hands to the HTTP layer. */
import type { StoredCredential } from './credentials.js';
import type { AwsError } from './errors.js';

export interface RequestContext {
  now: number;
  requestId: string;
  /** Undefined only for the operations a service allows unsigned. */
  caller: StoredCredential | undefined;
}

export type OperationHandler = (input: unknown, ctx: RequestContext) => unknown;

export interface ServiceDefinition {
  /** SigV4 signing name expected in the credential scope. */
  signingName: 'license-manager' | 'kms' | 'sts';
  operations: Record<string, OperationHandler>;
  /** Operations AWS's own samples call without credentials. */
  unsignedOperations: ReadonlySet<string>;
  /** The service's own names for the injected faults. */
  throttled(): AwsError;
  /** A call outside the caller's permissions, in the service's own words and status. */
  accessDenied(message: string): AwsError;
  serverError(): AwsError;
}
