// Where the emulator follows AWS's documentation and users' reports rather than what is easiest:
// features with the license's own values, beneficiary for the creating account, the newest of
// same-SKU licenses, extensions that re-check the license.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CheckInLicenseCommand, DeleteLicenseCommand, ExtendLicenseConsumptionCommand, GetLicenseCommand } from '@aws-sdk/client-license-manager';
import { checkoutSeat, createTestLicense, expectAwsError, licenseManagerClient, seatUsage, setLicenseStatus, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const lm = () => licenseManagerClient(h.emu, undefined, { maxAttempts: 1 });
const extend = (token: string | undefined) => lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: token }));

describe('feature and tier entitlements (Unit None)', () => {
  test('a feature asked for by name with no Value is granted with the license\'s own Value, or none', async () => {
    const lic = await createTestLicense(h.emu, {
      entitlements: [
        { Name: 'Seats', Unit: 'Count', MaxCount: 5, AllowCheckIn: true },
        { Name: 'Premium', Unit: 'None', Value: 'Enabled', AllowCheckIn: true },
        { Name: 'Support', Unit: 'None', AllowCheckIn: true },
      ],
    });
    const out = await checkoutSeat(h.emu, lic, {
      Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }, { Name: 'Premium', Unit: 'None' }, { Name: 'Support', Unit: 'None', Value: 'Gold' }],
    });
    assert.deepEqual(out.EntitlementsAllowed, [
      { Name: 'Seats', Value: '1', Unit: 'Count' },
      { Name: 'Premium', Value: 'Enabled', Unit: 'None' },
      { Name: 'Support', Unit: 'None' },
    ]);
    const { License } = await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
    assert.equal(License?.Entitlements?.find((e) => e.Name === 'Premium')?.Value, 'Enabled', 'stored as given');
  });

  test('a tiered product: every tier asked, the one bought granted; unlimited without MaxCount', async () => {
    const lic = await createTestLicense(h.emu, { entitlements: [{ Name: 'Gold Tier', Unit: 'None', Value: 'Enabled', AllowCheckIn: true }] });
    const tiers = [{ Name: 'Silver Tier', Unit: 'None' as const }, { Name: 'Gold Tier', Unit: 'None' as const }, { Name: 'Platinum Tier', Unit: 'None' as const }];
    for (let i = 0; i < 3; i++) {
      const out = await checkoutSeat(h.emu, lic, { Entitlements: tiers });
      assert.deepEqual(out.EntitlementsAllowed, [{ Name: 'Gold Tier', Value: 'Enabled', Unit: 'None' }]);
    }
  });
});

describe('Beneficiary', () => {
  test('the account that created the license must name itself as Beneficiary (API reference); without it, the usual opaque refusal', async () => {
    const lic = await createTestLicense(h.emu, { beneficiary: 'customer-42' });
    await expectAwsError(checkoutSeat(h.emu, lic, { Beneficiary: undefined }), 'NoEntitlementsAllowedException', { status: 400 });
    await expectAwsError(checkoutSeat(h.emu, lic, { Beneficiary: 'customer-42' }), 'NoEntitlementsAllowedException');
    const out = await checkoutSeat(h.emu, lic, { Beneficiary: h.emu.accountId });
    assert.equal(out.LicenseArn, lic.licenseArn);
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken, Beneficiary: h.emu.accountId }));
  });
});

describe('licenses that share a SKU and issuer', () => {
  test('CheckoutLicense takes the most recently created, even when it is used up and an older one is not', async () => {
    const older = await createTestLicense(h.emu, { productSku: 'SHARED-SKU-1', seats: 5 });
    const newer = await createTestLicense(h.emu, { productSku: 'SHARED-SKU-1', seats: 1 });
    const first = await checkoutSeat(h.emu, older);
    assert.equal(first.LicenseArn, newer.licenseArn);
    await expectAwsError(checkoutSeat(h.emu, older), 'NoEntitlementsAllowedException');
    assert.deepEqual(await seatUsage(h.emu, older.licenseArn), { Seats: 0 });
  });

  test('a newer license that is not usable (suspended) is passed over', async () => {
    const older = await createTestLicense(h.emu, { productSku: 'SHARED-SKU-2' });
    const newer = await createTestLicense(h.emu, { productSku: 'SHARED-SKU-2' });
    await setLicenseStatus(h.emu, newer.licenseArn, 'SUSPENDED');
    assert.equal((await checkoutSeat(h.emu, older)).LicenseArn, older.licenseArn);
  });
});

describe('ExtendLicenseConsumption verifies the license', () => {
  test('a suspended license: ValidationException naming the status; check-in still returns the seat', async () => {
    const lic = await createTestLicense(h.emu, { seats: 2 });
    const out = await checkoutSeat(h.emu, lic);
    await extend(out.LicenseConsumptionToken);
    await setLicenseStatus(h.emu, lic.licenseArn, 'SUSPENDED');
    await expectAwsError(extend(out.LicenseConsumptionToken), 'ValidationException', { status: 400, message: /is SUSPENDED/ });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 }, 'the seat stays until its TTL or a check-in');
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken }));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
  });

  test('a deleted license: ValidationException', async () => {
    const lic = await createTestLicense(h.emu);
    const out = await checkoutSeat(h.emu, lic);
    await lm().send(new DeleteLicenseCommand({ LicenseArn: lic.licenseArn, SourceVersion: '1' }));
    await expectAwsError(extend(out.LicenseConsumptionToken), 'ValidationException', { message: /is DELETED/ });
  });

  test('past its Validity End: GetLicense reads EXPIRED, and the extension is refused', async () => {
    const lic = await createTestLicense(h.emu, { validity: { Begin: '2020-01-01T00:00:00Z', End: new Date(Date.now() + 600).toISOString() } });
    const out = await checkoutSeat(h.emu, lic);
    assert.equal((await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }))).License?.Status, 'AVAILABLE');
    await delay(650);
    assert.equal((await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }))).License?.Status, 'EXPIRED');
    await expectAwsError(extend(out.LicenseConsumptionToken), 'ValidationException', { message: /is EXPIRED/ });
    assert.equal(h.emu.stats().licenses[lic.licenseArn]?.status, 'EXPIRED');
  });
});
