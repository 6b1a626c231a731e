import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsSettings {
  region: string;
  /** Omitted: the job's static AWS_* environment credentials when present, else the SDK's default chain (profile, web identity, instance role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

/** Full jitter, exponential, capped: a fleet of throttled jobs spreads out instead of retrying in step. */
export function fullJitterBackoff(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
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
 * Settings shared by every client: the SDK's own retry strategy (throttling, 5xx, resets), bounded
 * request and connection times so a dead endpoint fails instead of hanging, and the standard
 * AWS_ENDPOINT_URL* variables (read by the SDK itself) for the emulator.
 */
export function clientConfig(settings: AwsSettings) {
  const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
  const maxAttempts = settings.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS);
  return {
    region: settings.region,
    credentials: settings.credentials ?? envCredentials(),
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt: number) => fullJitterBackoff(attempt)),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  };
}
