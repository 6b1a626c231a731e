/**
 * One error type for every service. The protocol layer decides how it is written
 * (JSON `__type` + `x-amzn-ErrorType`, or the STS Query `<ErrorResponse>`), so
 * handlers only name the AWS error code and HTTP status.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** STS Query answers say who is at fault; 5xx are the server's. */
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * License Manager statuses from the JS SDK's Smithy model, except RateLimitExceededException: the
 * model says 429, the API reference 400, and the SDK retries a 429 as throttling on its own, so the
 * emulator answers the harder 400 unless told otherwise (see throttleStatus in server.ts).
 */
const licenseManagerStatus: Record<string, number> = {
  AccessDeniedException: 401,
  AuthorizationException: 403,
  ConflictException: 409,
  ServerInternalException: 500,
};

export function lmError(code: string, message: string): AwsError {
  return new AwsError(code, message, licenseManagerStatus[code] ?? 400);
}

export const validationError = (message: string): AwsError => new AwsError('ValidationException', message);

/** What AWS answers when a JSON member has the wrong JSON type (before any constraint check). */
export const serializationError = (message: string): AwsError => new AwsError('SerializationException', message);
