import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateKeyCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import {
  CheckInLicenseCommand,
  CheckoutBorrowLicenseCommand,
  CheckoutLicenseCommand,
  CreateLicenseCommand,
  ExtendLicenseConsumptionCommand,
  type CheckoutBorrowLicenseCommandInput,
} from '@aws-sdk/client-license-manager';
import { compactVerify, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { createSignKey, createTestLicense, expectAwsError, kmsClient, licenseManagerClient, seatUsage, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const lm = () => licenseManagerClient(h.emu);
let n = 0;
const borrow = (licenseArn: string, over: Partial<CheckoutBorrowLicenseCommandInput> = {}) =>
  lm().send(
    new CheckoutBorrowLicenseCommand({
      LicenseArn: licenseArn,
      Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }],
      DigitalSignatureMethod: 'JWT_PS384',
      NodeId: 'MyNodeId',
      ClientToken: `borrow-${process.pid}-${++n}`,
      ...over,
    }),
  );

async function publicKeyPem(keyArn: string): Promise<string> {
  const { PublicKey } = await kmsClient(h.emu).send(new GetPublicKeyCommand({ KeyId: keyArn }));
  const b64 = Buffer.from(PublicKey as Uint8Array).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

describe('the sample borrow flow (JS SDK v3)', () => {
  test('RSA_4096 key, license with SignKey and BorrowConfiguration, checkout-borrow, JWT verified with the KMS public key', async () => {
    const keyArn = await createSignKey(h.emu, 'RSA_4096');
    const lic = await createTestLicense(h.emu, { signKey: keyArn, borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 30 }, seats: 2 });
    assert.equal(lic.signKeyArn, keyArn);
    const out = await borrow(lic.licenseArn, { CheckoutMetadata: [{ Name: 'Mac', Value: 'ABCDEFGHI' }] });
    assert.equal(out.LicenseArn, lic.licenseArn);
    assert.equal(out.NodeId, 'MyNodeId');
    assert.deepEqual(out.EntitlementsAllowed, [{ Name: 'Seats', Value: '1', Unit: 'Count' }]);
    assert.deepEqual(out.CheckoutMetadata, [{ Name: 'Mac', Value: 'ABCDEFGHI' }]);
    assert.equal(Date.parse(out.Expiration as string) - Date.parse(out.IssuedAt as string), 30 * 60_000, 'borrow TTL');

    const token = out.SignedToken as string;
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'PS384', typ: 'JWT' });
    const key = await importSPKI(await publicKeyPem(keyArn), 'PS384');
    const { payload } = await jwtVerify(token, key, { algorithms: ['PS384'] });
    assert.deepEqual(Object.keys(payload), ['licenseArn', 'licenseConsumptionToken', 'entitlementsAllowed', 'nodeId', 'issuedAt', 'expiration', 'checkoutMetadata']);
    assert.equal(payload.licenseArn, lic.licenseArn);
    assert.equal(payload.licenseConsumptionToken, out.LicenseConsumptionToken);
    assert.deepEqual(payload.entitlementsAllowed, [{ name: 'Seats', value: '1', unit: 'Count' }]);
    assert.equal(payload.nodeId, 'MyNodeId');
    assert.match(payload.issuedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'zone-less UTC');
    assert.match(payload.expiration as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(Date.parse(`${payload.issuedAt as string}Z`), Math.floor(Date.parse(out.IssuedAt as string) / 1000) * 1000);
    assert.deepEqual(payload.checkoutMetadata, { Mac: 'ABCDEFGHI' });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });

    // A tampered payload must fail verification.
    const [hdr, , sig] = token.split('.');
    const forged = `${hdr}.${Buffer.from(JSON.stringify({ ...payload, nodeId: 'other' })).toString('base64url')}.${sig}`;
    await assert.rejects(compactVerify(forged, key, { algorithms: ['PS384'] }));

    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken }));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
  });
});

describe('CheckoutBorrowLicense errors', () => {
  test('all or nothing: an entitlement the license lacks is EntitlementNotAllowedException, an exhausted one NoEntitlementsAllowedException; nothing consumed', async () => {
    const lic = await createTestLicense(h.emu, { borrow: true, signKeySpec: 'RSA_2048', seats: 1 });
    await expectAwsError(
      borrow(lic.licenseArn, { Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }, { Name: 'GPU', Value: '1', Unit: 'Count' }] }),
      'EntitlementNotAllowedException',
      { status: 400, message: /GPU/ },
    );
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
    await borrow(lic.licenseArn);
    // What users report for a used-up count (aws/aws-sdk#507).
    await expectAwsError(borrow(lic.licenseArn), 'NoEntitlementsAllowedException', { status: 400 });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });

  test('DigitalSignatureMethod other than JWT_PS384: UnsupportedDigitalSignatureMethodException', async () => {
    const lic = await createTestLicense(h.emu, { borrow: true, signKeySpec: 'RSA_2048' });
    await expectAwsError(borrow(lic.licenseArn, { DigitalSignatureMethod: 'JWT_RS256' as 'JWT_PS384' }), 'UnsupportedDigitalSignatureMethodException', { status: 400 });
  });

  test('a license without BorrowConfiguration or SignKey cannot be borrowed', async () => {
    const plain = await createTestLicense(h.emu);
    await expectAwsError(borrow(plain.licenseArn), 'ValidationException', { message: /BorrowConfiguration/ });
    const keyless = await createTestLicense(h.emu, { borrow: true, signKey: false });
    await expectAwsError(borrow(keyless.licenseArn), 'ValidationException', { message: /SignKey/ });
  });

  test('unknown license: ResourceNotFoundException; missing members named', async () => {
    await expectAwsError(borrow('arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000'), 'ResourceNotFoundException');
    await expectAwsError(lm().send(new CheckoutBorrowLicenseCommand({} as CheckoutBorrowLicenseCommandInput)), 'ValidationException', {
      message: /^4 validation errors detected: .*'licenseArn'.*'entitlements'.*'digitalSignatureMethod'.*'clientToken'/,
    });
  });

  test('early check-in needs AllowEarlyCheckIn; borrowed consumptions are not extended', async () => {
    const lic = await createTestLicense(h.emu, { borrow: { AllowEarlyCheckIn: false, MaxTimeToLiveInMinutes: 60 }, signKeySpec: 'RSA_2048' });
    const out = await borrow(lic.licenseArn);
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken })), 'ConflictException', {
      status: 409,
      message: /AllowEarlyCheckIn/,
    });
    await expectAwsError(lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken })), 'ValidationException');
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });

  test('CheckoutLicense on a license with a SignKey also returns a verifiable SignedToken', async () => {
    const lic = await createTestLicense(h.emu, { signKey: true, signKeySpec: 'RSA_2048' });
    const out = await lm().send(
      new CheckoutLicenseCommand({
        ProductSKU: lic.productSku,
        KeyFingerprint: lic.keyFingerprint,
        CheckoutType: 'PROVISIONAL',
        Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }],
        ClientToken: `co-${++n}`,
        Beneficiary: h.emu.accountId,
      }),
    );
    const key = await importSPKI(await publicKeyPem(lic.signKeyArn as string), 'PS384');
    const { payload } = await jwtVerify(out.SignedToken as string, key, { algorithms: ['PS384'] });
    assert.equal(payload.licenseConsumptionToken, out.LicenseConsumptionToken);
    assert.deepEqual(payload.checkoutMetadata, {});
  });

  test('CreateLicense refuses an ENCRYPT_DECRYPT key as SignKey', async () => {
    const created = await kmsClient(h.emu).send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }));
    await expectAwsError(
      lm().send(
        new CreateLicenseCommand({
          LicenseName: 'x', ProductName: 'x', ProductSKU: 'x', Issuer: { Name: 'x', SignKey: created.KeyMetadata?.Arn }, HomeRegion: 'us-east-1',
          Validity: { Begin: '2020-01-01T00:00:00' }, Entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1 }], Beneficiary: '111122223333',
          ConsumptionConfiguration: {}, ClientToken: `cl-${++n}`,
        }),
      ),
      'InvalidParameterValueException',
    );
  });
});
