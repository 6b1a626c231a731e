import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsSettings {
  region: string;
  /** Omitted: the SDK's default chain (environment, profile, web identity, instance role). */
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
 * Settings shared by every client: the SDK's own retry strategy (throttling, 5xx, resets), bounded
 * request and connection times so a dead endpoint fails instead of hanging, and the standard
 * AWS_ENDPOINT_URL* variables (read by the SDK itself) for the emulator.
 */
export function clientConfig(settings: AwsSettings) {
  const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
  const maxAttempts = settings.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS);
  return {
    region: settings.region,
    credentials: settings.credentials,
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt: number) => fullJitterBackoff(attempt)),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  };
}
