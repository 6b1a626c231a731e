// Credentials for customers without an AWS account: a license (refresh) token is exchanged for an
// access token (GetAccessToken), which assumes a role (AssumeRoleWithWebIdentity). Neither call
// is signed: the caller has nothing to sign with.
import { GetAccessTokenCommand, LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NoAuthSigner } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ActionFailure } from '../failure.js';
import { classifyError } from './classify-error.js';
import { clientConfig } from './client-config.js';

export interface LicenseTokenSettings {
  token: string;
  roleArn: string;
  roleSessionName?: string;
  region: string;
  /** Called with every secret as soon as it exists, before anything could print it. */
  mask?(secret: string): void;
}

/** A refused license token or role, said in terms of what to check. */
export class CredentialStageFailure extends ActionFailure {}

const unsigned = {
  httpAuthSchemes: [{ schemeId: 'smithy.api#noAuth', identityProvider: () => async () => ({}), signer: new NoAuthSigner() }],
  httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }],
};

async function exchange(s: LicenseTokenSettings): Promise<AwsCredentialIdentity> {
  const config = { ...clientConfig({ region: s.region }), credentials: undefined };
  const lm = new LicenseManagerClient({ ...config, ...unsigned } as NonNullable<ConstructorParameters<typeof LicenseManagerClient>[0]>);
  let accessToken: string;
  try {
    const out = await lm.send(new GetAccessTokenCommand({ Token: s.token }));
    accessToken = out.AccessToken ?? '';
    if (!accessToken) throw new Error('GetAccessToken returned no access token');
  } catch (error) {
    const f = classifyError('GetAccessToken', error);
    throw new CredentialStageFailure(
      f.kind === 'unavailable'
        ? `GetAccessToken failed after retries (${f.code}); License Manager is unavailable, not refusing the token. AWS said: ${f.message}`
        : `The license-token was refused by GetAccessToken (${f.code}): it may be expired, revoked (DeleteToken) or mistyped; ask the vendor for a new one. AWS said: ${f.message}`,
    );
  } finally {
    lm.destroy();
  }
  s.mask?.(accessToken);
  const sts = new STSClient(config);
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: s.roleArn,
        RoleSessionName: s.roleSessionName ?? 'license-gate',
        WebIdentityToken: accessToken,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRoleWithWebIdentity returned no credentials');
    // Every part of what was minted, the key id too: nothing of it may show in a log.
    s.mask?.(c.AccessKeyId);
    s.mask?.(c.SecretAccessKey);
    if (c.SessionToken) s.mask?.(c.SessionToken);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (error) {
    const f = classifyError('sts:AssumeRoleWithWebIdentity', error);
    throw new CredentialStageFailure(
      f.kind === 'unavailable'
        ? `AssumeRoleWithWebIdentity failed after retries (${f.code}). AWS said: ${f.message}`
        : `The role ${s.roleArn} could not be assumed with the license token (${f.code}): check that role-arn is one the token lists (CreateToken RoleArns) and that the role trusts the federated principal openid-license-manager.amazonaws.com. AWS said: ${f.message}`,
    );
  } finally {
    sts.destroy();
  }
}

/** Renews when less than a quarter of the credentials' life (at most 5 minutes) remains. */
export function needsRenewal(c: AwsCredentialIdentity, issuedAtMs: number, nowMs: number): boolean {
  if (!c.expiration) return false;
  const expires = c.expiration.getTime();
  const margin = Math.min(5 * 60_000, (expires - issuedAtMs) / 4);
  return nowMs >= expires - margin;
}

/** A credentials provider the SDK clients call before each request; it renews before expiry. */
export function licenseTokenCredentials(s: LicenseTokenSettings, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let current: { creds: AwsCredentialIdentity; at: number } | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current && !needsRenewal(current.creds, current.at, now())) return current.creds;
    pending ??= exchange(s).then(
      (creds) => {
        current = { creds, at: now() };
        pending = undefined;
        return creds;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

