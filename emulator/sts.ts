/**
 * STS (AWS Query protocol): GetCallerIdentity, and AssumeRoleWithWebIdentity accepting an
 * access token from License Manager's GetAccessToken. Issued credentials are registered
 * with the credential store and expire with the time scale (`minuteMs`).
 */
import type { Clock } from './clock.js';
import type { CredentialStore } from './credentials.js';
import { AwsError } from './errors.js';
import { awsStyleId, randomSecret } from './ids.js';
import type { ServiceDefinition } from './service.js';
import type { TokenAuthority } from './tokens.js';
import { int, str, struct, validate } from './validation.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const assumeShape = struct(
  {
    RoleArn: str({ min: 20, max: 2048 }),
    RoleSessionName: str({ min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: '[\\w+=,.@-]*' }),
    WebIdentityToken: str({ min: 4, max: 20000, sensitive: true }),
    ProviderId: str({ min: 4, max: 2048 }),
    Policy: str({ min: 1, max: 2048 }),
    DurationSeconds: int({ min: 900, max: 43200 }),
  },
  ['RoleArn', 'RoleSessionName', 'WebIdentityToken'],
);

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** Query parameters are all strings; the model's integers are converted before validation. */
function typed(params: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (params.DurationSeconds !== undefined) {
    const n = Number(params.DurationSeconds);
    if (!Number.isInteger(n)) throw new AwsError('ValidationError', `Value '${params.DurationSeconds}' for parameter DurationSeconds is invalid`);
    out.DurationSeconds = n;
  }
  return out;
}

export function stsService(clock: Clock, credentials: CredentialStore, tokens: TokenAuthority): ServiceDefinition {
  const assumeRoleWithWebIdentity = (raw: unknown, now: number): unknown => {
    const input = validate(assumeShape, typed(raw as Record<string, string>), 'ValidationError');
    const role = ROLE_ARN.exec(input.RoleArn);
    if (!role) throw new AwsError('ValidationError', `${input.RoleArn} is invalid`);
    const verified = tokens.verifyAccessToken(input.WebIdentityToken);
    if (!verified.ok) {
      if (verified.reason === 'expired') throw new AwsError('ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time');
      throw new AwsError('InvalidIdentityToken', 'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.');
    }
    const { claims } = verified;
    if (claims.roleArns.length > 0 && !claims.roleArns.includes(input.RoleArn)) {
      throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
    }
    const [, accountId, roleName] = role as unknown as [string, string, string];
    const expiresAt = now + clock.minutes((input.DurationSeconds ?? 3600) / 60);
    const roleId = `${awsStyleId('AROA', 17)}:${input.RoleSessionName}`;
    const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`;
    const issued = { accessKeyId: awsStyleId('ASIA', 16), secretAccessKey: randomSecret(30), sessionToken: randomSecret(180) };
    credentials.addSession({ ...issued, expiresAt, identity: { accountId, arn: assumedArn, userId: roleId, roleArn: input.RoleArn } });
    return {
      AssumeRoleWithWebIdentityResult: {
        SubjectFromWebIdentityToken: claims.sub,
        Audience: claims.aud,
        AssumedRoleUser: { Arn: assumedArn, AssumedRoleId: roleId },
        Credentials: {
          AccessKeyId: issued.accessKeyId,
          SecretAccessKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          Expiration: new Date(expiresAt).toISOString(),
        },
        Provider: claims.iss,
      },
    };
  };

  return {
    signingName: 'sts',
    unsignedOperations: new Set(['AssumeRoleWithWebIdentity']),
    throttled: () => new AwsError('Throttling', 'Rate exceeded'),
    accessDenied: (message) => new AwsError('AccessDenied', message, 403),
    serverError: () => new AwsError('InternalFailure', 'An internal error occurred.', 500),
    operations: {
      GetCallerIdentity: (_raw, ctx) => {
        const id = ctx.caller?.identity;
        if (!id) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
        return { GetCallerIdentityResult: { Arn: id.arn, UserId: id.userId, Account: id.accountId } };
      },
      AssumeRoleWithWebIdentity: (raw, ctx) => assumeRoleWithWebIdentity(raw, ctx.now),
    },
  };
}
