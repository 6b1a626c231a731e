import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetLicenseUsageCommand, ListLicensesCommand } from '@aws-sdk/client-license-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { amzDate } from '../../emulator/clock.js';
import { startEmulator } from '../../emulator/server.js';
import { expectAwsError, kmsClient, licenseManagerClient, stsClient, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const list = new ListLicensesCommand({});
const noRetry = { maxAttempts: 1 };

describe('SigV4 verification', () => {
  test('valid signatures pass, for every service', async () => {
    await licenseManagerClient(h.emu).send(list);
    await expectAwsError(kmsClient(h.emu).send(new DescribeKeyCommand({ KeyId: 'nope' })), 'NotFoundException');
    const me = await stsClient(h.emu).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, '111122223333');
  });

  test('wrong secret: InvalidSignatureException 400 (JSON), SignatureDoesNotMatch 403 (STS)', async () => {
    const bad = { accessKeyId: 'test', secretAccessKey: 'wrong' };
    const e = await expectAwsError(licenseManagerClient(h.emu, bad, noRetry).send(list), 'InvalidSignatureException', {
      status: 400,
      message: /^The request signature we calculated does not match the signature you provided/,
    });
    assert.equal(e.$response?.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(e.$response?.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$/);
    await expectAwsError(kmsClient(h.emu, bad, noRetry).send(new DescribeKeyCommand({ KeyId: 'k' })), 'InvalidSignatureException', { status: 400 });
    await expectAwsError(stsClient(h.emu, bad, noRetry).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', { status: 403 });
  });

  test('unknown access key: UnrecognizedClientException 400 (JSON), InvalidClientTokenId 403 (STS)', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' };
    await expectAwsError(licenseManagerClient(h.emu, unknown, noRetry).send(list), 'UnrecognizedClientException', {
      status: 400,
      message: /The security token included in the request is invalid/,
    });
    await expectAwsError(stsClient(h.emu, unknown, noRetry).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', { status: 403 });
  });

  test('clock skew beyond 15 minutes: Signature expired / not yet current; the SDK corrects itself from the Date header', async () => {
    await expectAwsError(licenseManagerClient(h.emu, undefined, { ...noRetry, systemClockOffset: -20 * 60_000 }).send(list), 'InvalidSignatureException', {
      status: 400,
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    });
    await expectAwsError(licenseManagerClient(h.emu, undefined, { ...noRetry, systemClockOffset: 20 * 60_000 }).send(list), 'InvalidSignatureException', {
      message: /^Signature not yet current/,
    });
    await expectAwsError(stsClient(h.emu, undefined, { ...noRetry, systemClockOffset: -20 * 60_000 }).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      message: /Signature expired/,
    });
    await licenseManagerClient(h.emu, undefined, { systemClockOffset: 10 * 60_000 }).send(list);
    const corrected = await licenseManagerClient(h.emu, undefined, { systemClockOffset: -20 * 60_000 }).send(list);
    assert.equal(corrected.$metadata.attempts, 2);
  });

  test('a credential scope for another region or service is refused', async () => {
    const otherRegion = licenseManagerClient(h.emu, undefined, { ...noRetry, region: 'eu-west-1' });
    await expectAwsError(otherRegion.send(list), 'InvalidSignatureException', { message: /scoped to a valid region, not 'eu-west-1'/ });
    const res = await fetch(h.emu.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSLicenseManager.ListLicenses',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-date': amzDate(Date.now()),
        authorization: `AWS4-HMAC-SHA256 Credential=test/${amzDate(Date.now()).slice(0, 8)}/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
      },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'license-manager'." });
  });

  test('a body changed after signing fails the payload hash', async () => {
    const client = licenseManagerClient(h.emu, undefined, noRetry);
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('l-0', 'l-1');
        return next(args);
      },
      { step: 'deserialize', name: 'tamperAfterSigning' },
    );
    await expectAwsError(
      client.send(new GetLicenseUsageCommand({ LicenseArn: 'arn:aws:license-manager::111122223333:license:l-0' })),
      'InvalidSignatureException',
    );
  });

  test('unsigned and malformed Authorization headers', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(h.emu.url, { method: 'POST', headers: { 'x-amz-target': 'AWSLicenseManager.ListLicenses', 'content-type': 'application/x-amz-json-1.1', ...headers }, body: '{}' });
    const missing = await post({});
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const incomplete = await post({ authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/license-manager/aws4_request', 'x-amz-date': amzDate(Date.now()) });
    assert.equal(incomplete.headers.get('x-amzn-errortype'), 'IncompleteSignatureException');
    const sts = await fetch(h.emu.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(sts.status, 403);
    assert.match(
      await sts.text(),
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
  });

  test('a malformed JSON body: SerializationException for a signed caller, authentication first', async () => {
    const client = licenseManagerClient(h.emu, undefined, noRetry);
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = '{"LicenseArn": ';
        request.headers['content-length'] = String(request.body.length);
        return next(args);
      },
      { step: 'build', name: 'breakJson' },
    );
    await expectAwsError(client.send(new GetLicenseUsageCommand({ LicenseArn: 'arn:aws:license-manager::111122223333:license:l-0' })), 'SerializationException', { status: 400 });
    const unsigned = await fetch(h.emu.url, { method: 'POST', headers: { 'x-amz-target': 'AWSLicenseManager.GetLicense' }, body: '{"LicenseArn": ' });
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  test('unknown operations answer per protocol', async () => {
    const json = await fetch(h.emu.url, { method: 'POST', headers: { 'x-amz-target': 'AWSLicenseManager.MakeCoffee' }, body: '{}' });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { __type: string }).__type, 'UnknownOperationException');
    const query = await fetch(h.emu.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=MakeCoffee&Version=2011-06-15' });
    assert.match(await query.text(), /<Code>InvalidAction<\/Code>/);
  });

  test('--credentials replaces the default pair', async () => {
    const emu = await startEmulator({ credentials: [{ accessKeyId: 'CIKEY', secretAccessKey: 'CISECRET' }] });
    try {
      await licenseManagerClient(emu, { accessKeyId: 'CIKEY', secretAccessKey: 'CISECRET' }).send(list);
      await expectAwsError(licenseManagerClient(emu, undefined, noRetry).send(list), 'UnrecognizedClientException');
    } finally {
      await emu.close();
    }
  });
});
