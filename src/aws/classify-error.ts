import { AwsFailure, type FailureKind } from '../failure.js';

const BY_CODE = new Map<string, FailureKind>(Object.entries({
  NoEntitlementsAllowedException: 'not-entitled',
  EntitlementNotAllowedException: 'not-entitled',
  RateLimitExceededException: 'unavailable',
  ThrottlingException: 'unavailable',
  ServerInternalException: 'unavailable',
  InternalFailure: 'unavailable',
  ServiceUnavailable: 'unavailable',
  AccessDeniedException: 'denied',
  AccessDenied: 'denied',
  AuthorizationException: 'denied',
  UnrecognizedClientException: 'bad-credentials',
  InvalidSignatureException: 'bad-credentials',
  SignatureDoesNotMatch: 'bad-credentials',
  InvalidClientTokenId: 'bad-credentials',
  ExpiredTokenException: 'bad-credentials',
  ExpiredToken: 'bad-credentials',
  CredentialsProviderError: 'no-credentials',
  ValidationException: 'misconfigured',
  InvalidParameterValueException: 'misconfigured',
  UnsupportedDigitalSignatureMethodException: 'misconfigured',
  RedirectException: 'misconfigured',
  ResourceNotFoundException: 'not-found',
  ConflictException: 'conflict',
  FailedDependencyException: 'unavailable',
  ResourceLimitExceededException: 'misconfigured',
  InvalidIdentityToken: 'bad-credentials',
  IDPRejectedClaim: 'denied',
} satisfies Record<string, FailureKind>));

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const MAX_MESSAGE = 300;
/** A run that may be a key, a token or a signature: 16+ characters of base64, hex or URL-safe text, with letters and digits both. */
const SECRET_LIKE = /[A-Za-z0-9+/=_-]{16,}/g;
/** ARNs stay as they are: they name what failed, and a license id in one looks like a token. */
const ARN = /(arn:[a-z-]+:[^\s'",;()]*)/;
/** An error code: AWS's are identifiers; whatever else a service sends as one is not repeated. */
const CODE = /^[A-Za-z][\w.:-]{0,99}$/;

/**
 * What of AWS's failure text a log line may show: its first line, with anything that looks like a
 * credential or token replaced, cut to 300 characters. Some services quote the canonical request
 * (with the session token) and the string to sign after the first line; a token may stand
 * anywhere in it. The code beside it says what happened.
 */
export function redactedMessage(text: string): string {
  const first = text.split(/[\r\n\u2028\u2029]/).find((l) => l.trim() !== '') ?? '';
  const redacted = first
    .split(ARN)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(SECRET_LIKE, (run) => (/\d/.test(run) && /[A-Za-z]/.test(run) ? '[redacted]' : run))))
    .join('')
    .trim();
  return redacted.length > MAX_MESSAGE ? `${redacted.slice(0, MAX_MESSAGE)}…` : redacted;
}

/** Turns whatever the SDK threw into an AwsFailure; the kind decides what the action does next. */
export function classifyError(operation: string, error: unknown): AwsFailure {
  if (error instanceof AwsFailure) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkLikeError;
  const name = typeof e.name === 'string' && CODE.test(e.name) ? e.name : 'Error';
  const code = typeof e.code === 'string' && CODE.test(e.code) ? e.code : '';
  const message = redactedMessage(typeof e.message === 'string' && e.message !== '' ? e.message : describeThrown(error));
  const known = BY_CODE.get(name) ?? BY_CODE.get(code);
  if (known) return new AwsFailure(known, operation, name, message);
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name)) return new AwsFailure('unavailable', operation, code || name, message);
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return new AwsFailure('unavailable', operation, name, message);
  if (status === 401 || status === 403) return new AwsFailure('denied', operation, name, message);
  if (status !== undefined && status >= 400) return new AwsFailure('misconfigured', operation, name, message);
  return new AwsFailure('unavailable', operation, name, message);
}

/** String() of anything, even objects whose toString throws or is missing. */
function describeThrown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
