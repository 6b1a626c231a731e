import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CheckoutLicenseCommand, CreateTokenCommand, DeleteTokenCommand, GetLicenseCommand } from '@aws-sdk/client-license-manager';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { decodeJwt } from 'jose';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense, expectAwsError, licenseManagerClient, stsClient, withEmulator, type Credentials } from '../support/emulator.js';

const ROLE = 'arn:aws:iam::111122223333:role/LicenseConsumer';
const h = withEmulator();
let n = 0;

/** GetAccessToken exactly as AWS's Node sample calls it: no credentials, no signature. */
async function getAccessTokenUnsigned(emu: Emulator, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, string>; headers: Headers }> {
  const res = await fetch(emu.url, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSLicenseManager.GetAccessToken', 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string>, headers: res.headers };
}

async function refreshToken(emu: Emulator, licenseArn: string, over: Record<string, unknown> = {}) {
  return licenseManagerClient(emu).send(
    new CreateTokenCommand({ LicenseArn: licenseArn, RoleArns: [ROLE], TokenProperties: ['ci'], ClientToken: `tok-${process.pid}-${++n}`, ...over }),
  );
}

async function accessToken(emu: Emulator, refresh: string): Promise<string> {
  const r = await getAccessTokenUnsigned(emu, { Token: refresh });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.AccessToken as string;
}

const assume = (emu: Emulator, token: string, over: Record<string, unknown> = {}) =>
  stsClient(emu, undefined, { maxAttempts: 1 }).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'ci-job', WebIdentityToken: token, ...over }),
  );

const asCredentials = (c: StsCredentials | undefined): Credentials => ({
  accessKeyId: c?.AccessKeyId as string,
  secretAccessKey: c?.SecretAccessKey as string,
  sessionToken: c?.SessionToken as string,
});

describe('license tokens for customers without an AWS account', () => {
  test('CreateToken → GetAccessToken (unsigned) → AssumeRoleWithWebIdentity (unsigned) → checkout with session credentials', async () => {
    const lic = await createTestLicense(h.emu);
    const created = await refreshToken(h.emu, lic.licenseArn);
    assert.equal(created.TokenType, 'REFRESH_TOKEN');
    const claims = decodeJwt(created.Token as string);
    assert.equal(claims.aud, lic.licenseArn);
    assert.deepEqual(claims.amr, ['ci']);
    assert.deepEqual(claims.roleArns, [ROLE]);
    assert.ok((claims.exp as number) * 1000 > Date.now() + 364 * 24 * 3600_000, 'ExpirationInDays defaults to 365');

    const access = await accessToken(h.emu, created.Token as string);
    const accessClaims = decodeJwt(access);
    assert.ok(Math.abs((accessClaims.exp as number) * 1000 - Date.now() - 3600_000) < 60_000, 'valid one hour');

    const assumed = await assume(h.emu, access);
    const c = assumed.Credentials;
    assert.match(c?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c?.SessionToken && c.SecretAccessKey);
    assert.ok(c?.Expiration instanceof Date && Math.abs(c.Expiration.getTime() - Date.now() - 3600_000) < 60_000);
    assert.equal(assumed.AssumedRoleUser?.Arn, 'arn:aws:sts::111122223333:assumed-role/LicenseConsumer/ci-job');
    assert.equal(assumed.Audience, lic.licenseArn);

    const session = asCredentials(c);
    const me = await stsClient(h.emu, session).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, 'arn:aws:sts::111122223333:assumed-role/LicenseConsumer/ci-job');
    const co = await licenseManagerClient(h.emu, session).send(
      new CheckoutLicenseCommand({
        ProductSKU: lic.productSku, KeyFingerprint: lic.keyFingerprint, CheckoutType: 'PROVISIONAL',
        Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }], ClientToken: `sess-${++n}`, Beneficiary: h.emu.accountId,
      }),
    );
    assert.equal(co.LicenseArn, lic.licenseArn);

    const forged = { ...session, sessionToken: 'not-the-token' };
    await expectAwsError(licenseManagerClient(h.emu, forged, { maxAttempts: 1 }).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn })), 'UnrecognizedClientException');
  });

  test('STS answers in AWS Query XML', async () => {
    const lic = await createTestLicense(h.emu);
    const access = await accessToken(h.emu, (await refreshToken(h.emu, lic.licenseArn)).Token as string);
    const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: ROLE, RoleSessionName: 's1', WebIdentityToken: access });
    const res = await fetch(h.emu.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/xml');
    const xml = await res.text();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><AssumeRoleWithWebIdentityResult>/);
    assert.match(xml, /<Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[^<]+<\/SecretAccessKey><SessionToken>[^<]+<\/SessionToken><Expiration>[^<]+Z<\/Expiration><\/Credentials>/);
    assert.match(xml, /<\/AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/AssumeRoleWithWebIdentityResponse>\n$/);
  });

  test('AssumeRoleWithWebIdentity errors: role not in the token, not an access token, validation', async () => {
    const lic = await createTestLicense(h.emu);
    const created = await refreshToken(h.emu, lic.licenseArn);
    const access = await accessToken(h.emu, created.Token as string);
    await expectAwsError(assume(h.emu, access, { RoleArn: 'arn:aws:iam::111122223333:role/Admin' }), 'AccessDenied', {
      status: 403,
      message: /Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    });
    await expectAwsError(assume(h.emu, created.Token as string), 'InvalidIdentityTokenException', { status: 400 }); // wire code InvalidIdentityToken, named by the SDK's model
    await expectAwsError(assume(h.emu, 'garbage.token.here'), 'InvalidIdentityTokenException');
    await expectAwsError(assume(h.emu, access, { RoleSessionName: 'has space' }), 'ValidationError', { message: /'roleSessionName'/ });
    await expectAwsError(assume(h.emu, access, { DurationSeconds: 60 }), 'ValidationError', { message: /'durationSeconds'.*greater than or equal to 900/ });
    const anyRole = await refreshToken(h.emu, lic.licenseArn, { RoleArns: [] });
    await assume(h.emu, await accessToken(h.emu, anyRole.Token as string), { RoleArn: 'arn:aws:iam::111122223333:role/Anything' });
  });

  test('GetAccessToken errors: garbage, tampered, unknown property, deleted token', async () => {
    const lic = await createTestLicense(h.emu);
    const created = await refreshToken(h.emu, lic.licenseArn);
    const garbage = await getAccessTokenUnsigned(h.emu, { Token: 'garbage' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.json.__type, 'AccessDeniedException');
    assert.equal(garbage.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    const [hdr, payload, sig] = (created.Token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${hdr}.${Buffer.from(JSON.stringify({ ...claims, roleArns: [] })).toString('base64url')}.${sig}`;
    assert.match((await getAccessTokenUnsigned(h.emu, { Token: tampered })).json.message ?? '', /invalid signature/);
    assert.match((await getAccessTokenUnsigned(h.emu, { Token: created.Token, TokenProperties: ['other'] })).json.message ?? '', /'other'/);
    const missing = await getAccessTokenUnsigned(h.emu, {});
    assert.equal(missing.json.__type, 'ValidationException');
    assert.match(missing.json.message ?? '', /Value null at 'token'/);
    const tooLong = await getAccessTokenUnsigned(h.emu, { Token: 'x'.repeat(4097) });
    assert.equal(tooLong.json.message, "1 validation error detected: Value at 'token' failed to satisfy constraint: Member must have length less than or equal to 4096");

    await licenseManagerClient(h.emu).send(new DeleteTokenCommand({ TokenId: created.TokenId }));
    const revoked = await getAccessTokenUnsigned(h.emu, { Token: created.Token });
    assert.equal(revoked.json.__type, 'AccessDeniedException');
    assert.match(revoked.json.message ?? '', /deleted/);
    await expectAwsError(licenseManagerClient(h.emu).send(new DeleteTokenCommand({ TokenId: created.TokenId })), 'ResourceNotFoundException');
  });

  test('CreateToken errors: unknown license, too many tokens, too many properties', async () => {
    await expectAwsError(refreshToken(h.emu, 'arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000'), 'ResourceNotFoundException');
    const lic = await createTestLicense(h.emu);
    for (let i = 0; i < 10; i++) await refreshToken(h.emu, lic.licenseArn);
    await expectAwsError(refreshToken(h.emu, lic.licenseArn), 'ResourceLimitExceededException', { status: 400 });
    await expectAwsError(refreshToken(h.emu, lic.licenseArn, { TokenProperties: ['a', 'b', 'c', 'd'] }), 'ValidationException', {
      message: /'tokenProperties' failed to satisfy constraint: Member must have length less than or equal to 3/,
    });
    await expectAwsError(refreshToken(h.emu, lic.licenseArn, { RoleArns: ['not-an-arn'] }), 'ValidationException', { message: /'roleArns.1.member'/ });
  });
});

describe('token and credential expiry (minuteMs = 5: one hour is 300 ms)', () => {
  test('an expired access token is refused by STS; expired session credentials answer ExpiredTokenException', async () => {
    const emu = await startEmulator({ minuteMs: 5 });
    try {
      const lic = await createTestLicense(emu);
      const refresh = (await refreshToken(emu, lic.licenseArn)).Token as string;
      const stale = await accessToken(emu, refresh);
      const fresh = await accessToken(emu, refresh);
      const session = asCredentials((await assume(emu, fresh, { DurationSeconds: 900 })).Credentials);
      await licenseManagerClient(emu, session).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
      await delay(330);
      await expectAwsError(assume(emu, stale), 'ExpiredTokenException', { status: 400 });
      await expectAwsError(licenseManagerClient(emu, session, { maxAttempts: 1 }).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn })), 'ExpiredTokenException', {
        status: 400,
        message: /The security token included in the request is expired/,
      });
      await expectAwsError(stsClient(emu, session, { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})), 'ExpiredToken');
    } finally {
      await emu.close();
    }
  });

  test('credentials: [] accepts only STS-issued session credentials', async () => {
    const emu = await startEmulator({ credentials: [] });
    try {
      await expectAwsError(licenseManagerClient(emu, undefined, { maxAttempts: 1 }).send(new GetLicenseCommand({ LicenseArn: 'arn:aws:license-manager::111122223333:license:l-0' })), 'UnrecognizedClientException');
    } finally {
      await emu.close();
    }
  });
});
