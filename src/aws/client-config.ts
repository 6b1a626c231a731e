import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryErrorInfo, StandardRetryToken } from '@smithy/types';

export interface AwsSettings {
  region: string;
  /** Omitted: the job's static AWS_* environment credentials when present, else the SDK's default chain (profile, web identity, instance role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
  /** How many times faster than the wall the caller's clock runs: retry delays and patience shrink by it (the fleet bench; 1 elsewhere). */
  timeScale?: number;
  /**
   * How long a throttled call may go on being retried once its attempts are spent: a check-in,
   * until the seat would return by itself anyway. Throttling says "later", never "no".
   */
  patienceMs?: number;
}

const DEFAULT_MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

/** Full jitter, exponential, capped: a fleet of throttled jobs spreads out instead of retrying in step. */
export function fullJitterBackoff(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/**
 * Throttling errors the SDK's standard retry does not know by name. License Manager answers
 * RateLimitExceededException with HTTP 400 (its API reference), and the SDK sees throttling only in
 * a 429, a `$retryable` trait or a fixed list of names without this one: left alone, a throttled
 * checkout, extension or check-in would not be retried at all.
 */
const THROTTLING_NAMES = new Set(['RateLimitExceededException']);

/**
 * The SDK's own retry strategy, with our backoff, that also counts those names as throttling: the
 * same retry quota, attempts and delays the SDK applies to any throttling answer, whatever the status.
 */
export class ThrottlingAwareRetryStrategy extends ConfiguredRetryStrategy {
  private scope = '';
  private patient = 0;
  private readonly until: number | undefined;

  constructor(
    maxAttempts: number,
    backoff: (attempt: number) => number,
    patienceMs?: number,
    private readonly random: () => number = Math.random,
    private readonly timeScale = 1,
  ) {
    super(maxAttempts, (attempt) => backoff(attempt) / timeScale);
    this.until = patienceMs === undefined ? undefined : Date.now() + patienceMs / timeScale;
  }

  override recordSuccess(token: StandardRetryToken): void {
    this.patient = 0;
    super.recordSuccess(token);
  }

  override acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    this.scope = scope;
    return super.acquireInitialRetryToken(scope);
  }

  override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    const name = (errorInfo.error as { name?: unknown } | undefined)?.name;
    const throttled = errorInfo.errorType === 'THROTTLING' || (typeof name === 'string' && THROTTLING_NAMES.has(name));
    try {
      return await super.refreshRetryTokenForRetry(token, throttled ? { ...errorInfo, errorType: 'THROTTLING' } : errorInfo);
    } catch (refused) {
      // Attempts or retry quota spent: a patient call waits out throttling in growing steps, then starts a fresh round.
      const left = this.until === undefined ? 0 : (this.until - Date.now()) * this.timeScale;
      if (!throttled || left <= 0) throw refused;
      // A cancel does not wait for this: the SDK races every retry delay against the abort signal.
      await new Promise((resolve) => setTimeout(resolve, patientDelay(this.patient++, left, this.random) / this.timeScale));
      return super.acquireInitialRetryToken(this.scope);
    }
  }
}

/** The widest a patient wait between rounds gets: a fleet slowed this far makes few calls a minute each. */
const PATIENCE_WINDOW_MS = 300_000;

/**
 * Full jitter over a window that doubles from 1 s with every throttled round (and starts again
 * after a success), at most 5 minutes and a quarter of the time left: callers that keep meeting
 * throttling slow down until the account's rate holds them all.
 */
export function patientDelay(round: number, leftMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(leftMs / 4, PATIENCE_WINDOW_MS, 1_000 * 2 ** Math.min(round, 20)));
}

/**
 * The static credentials a job usually has (configure-aws-credentials exports them), read as the
 * SDK's fromEnv reads them. Passing them directly spares every step the default provider chain's
 * module loading and resolution. AWS_PROFILE wins over them, as in the SDK's chain, so then the
 * chain is used.
 */
export function envCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentialIdentity | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_PROFILE } = env;
  if (!accessKeyId || !secretAccessKey || AWS_PROFILE) return undefined;
  const expiration = AWS_CREDENTIAL_EXPIRATION ? new Date(AWS_CREDENTIAL_EXPIRATION) : undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
    ...(expiration && !Number.isNaN(expiration.getTime()) ? { expiration } : {}),
  };
}

/**
 * Settings shared by every client: the SDK's own retry strategy (throttling by status or name, 5xx, resets), bounded
 * request and connection times so a dead endpoint fails instead of hanging, and the standard
 * AWS_ENDPOINT_URL* variables (read by the SDK itself) for the emulator.
 */
export function clientConfig(settings: AwsSettings) {
  const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
  const maxAttempts = settings.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS);
  return {
    region: settings.region,
    credentials: settings.credentials ?? envCredentials(),
    retryStrategy: new ThrottlingAwareRetryStrategy(maxAttempts, (attempt: number) => fullJitterBackoff(attempt), settings.patienceMs, Math.random, settings.timeScale),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  };
}
