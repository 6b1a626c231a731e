import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CheckInLicenseCommand,
  CheckoutLicenseCommand,
  CreateLicenseCommand,
  CreateLicenseVersionCommand,
  DeleteLicenseCommand,
  ExtendLicenseConsumptionCommand,
  GetLicenseCommand,
  GetLicenseUsageCommand,
  ListLicensesCommand,
  type CheckoutLicenseCommandInput,
  type CreateLicenseCommandInput,
} from '@aws-sdk/client-license-manager';
import { checkoutSeat, createTestLicense, expectAwsError, licenseManagerClient, seatUsage, withEmulator } from '../support/emulator.js';

const h = withEmulator();
const lm = () => licenseManagerClient(h.emu);
let tokenCounter = 0;
const clientToken = () => `token-${process.pid}-${++tokenCounter}`;

const checkout = (lic: { productSku: string; keyFingerprint: string }, over: Partial<CheckoutLicenseCommandInput> = {}) => checkoutSeat(h.emu, lic, over);

const sampleLicense = (): CreateLicenseCommandInput => ({
  LicenseName: 'Sample license',
  ProductName: 'Sample product',
  ProductSKU: `SKU-${process.pid}-${++tokenCounter}`,
  Issuer: { Name: 'Example ISV' },
  HomeRegion: 'us-east-1',
  Validity: { Begin: '2020-01-01T00:00:00', End: '2099-12-31T23:59:59Z' },
  Entitlements: [{ Name: 'Users', Unit: 'Count', MaxCount: 10, Overage: false, AllowCheckIn: true }],
  Beneficiary: '111122223333',
  ConsumptionConfiguration: { RenewType: 'None', ProvisionalConfiguration: { MaxTimeToLiveInMinutes: 60 } },
  ClientToken: clientToken(),
});

describe('the sample license flow (JS SDK v3)', () => {
  test('create, get, checkout, extend, check in, delete', async () => {
    const input = sampleLicense();
    const created = await lm().send(new CreateLicenseCommand(input));
    assert.match(created.LicenseArn ?? '', /^arn:aws:license-manager::111122223333:license:l-[0-9a-f]{32}$/);
    assert.equal(created.Status, 'AVAILABLE');
    assert.equal(created.Version, '1');
    const licenseArn = created.LicenseArn as string;

    const { License } = await lm().send(new GetLicenseCommand({ LicenseArn: licenseArn }));
    assert.equal(License?.ProductSKU, input.ProductSKU);
    assert.equal(License?.Issuer?.KeyFingerprint, 'aws:111122223333:Example ISV:issuer-fingerprint');
    assert.deepEqual(License?.Entitlements, input.Entitlements);
    assert.equal(License?.Status, 'AVAILABLE');

    const co = await checkout({ productSku: input.ProductSKU as string, keyFingerprint: License?.Issuer?.KeyFingerprint as string }, {
      Entitlements: [{ Name: 'Users', Value: '1', Unit: 'Count' }],
      NodeId: 'node-1',
      Beneficiary: '111122223333',
    });
    assert.equal(co.LicenseArn, licenseArn);
    assert.equal(co.CheckoutType, 'PROVISIONAL');
    assert.equal(co.NodeId, 'node-1');
    assert.deepEqual(co.EntitlementsAllowed, [{ Name: 'Users', Value: '1', Unit: 'Count' }]);
    assert.match(co.LicenseConsumptionToken ?? '', /^[0-9a-f]{32}$/);
    const issuedAt = Date.parse(co.IssuedAt as string);
    assert.equal(Date.parse(co.Expiration as string) - issuedAt, 60 * 60_000, 'expires after the 60-minute TTL');
    assert.deepEqual(await seatUsage(h.emu, licenseArn), { Users: 1 });

    const ext = await lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken }));
    assert.equal(ext.LicenseConsumptionToken, co.LicenseConsumptionToken);
    assert.ok(Date.parse(ext.Expiration as string) >= Date.parse(co.Expiration as string));

    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken, Beneficiary: '111122223333' }));
    assert.deepEqual(await seatUsage(h.emu, licenseArn), { Users: 0 });

    const deleted = await lm().send(new DeleteLicenseCommand({ LicenseArn: licenseArn, SourceVersion: '1' }));
    assert.equal(deleted.Status, 'DELETED');
    assert.ok(!Number.isNaN(Date.parse(deleted.DeletionDate as string)));
    await expectAwsError(checkout({ productSku: input.ProductSKU as string, keyFingerprint: License?.Issuer?.KeyFingerprint as string }), 'NoEntitlementsAllowedException');
  });
});

describe('CreateLicense validation', () => {
  test('missing members are named, all at once, in AWS wording', async () => {
    const e = await expectAwsError(lm().send(new CreateLicenseCommand({} as CreateLicenseCommandInput)), 'ValidationException', { status: 400 });
    assert.match(e.message, /^10 validation errors detected: Value null at 'licenseName' failed to satisfy constraint: Member must not be null; /);
    for (const member of ['productSKU', 'issuer', 'homeRegion', 'validity', 'entitlements', 'beneficiary', 'consumptionConfiguration', 'clientToken']) {
      assert.match(e.message, new RegExp(`Value null at '${member}'`));
    }
  });

  const cases: Array<[string, (i: CreateLicenseCommandInput) => unknown, RegExp]> = [
    ['unit enum', (i) => (i.Entitlements = [{ Name: 'Seats', Unit: 'Seatz' as 'Count', MaxCount: 1 }]), /Value 'Seatz' at 'entitlements.1.member.unit' failed to satisfy constraint: Member must satisfy enum value set: \[Count, None, /],
    ['renew type enum', (i) => (i.ConsumptionConfiguration = { RenewType: 'Daily' as 'None' }), /at 'consumptionConfiguration.renewType' .*enum value set: \[None, Weekly, Monthly\]/],
    ['entitlement name required', (i) => (i.Entitlements = [{ Unit: 'Count' } as never]), /Value null at 'entitlements.1.member.name'/],
    ['validity begin format', (i) => (i.Validity = { Begin: '14/04/2021' }), /Value '14\/04\/2021' at 'validity.begin' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['validity end after begin', (i) => (i.Validity = { Begin: '2021-01-02T00:00:00', End: '2021-01-01T00:00:00' }), /'validity.end'/],
    ['client token with whitespace', (i) => (i.ClientToken = 'has space'), /Value 'has space' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\S\+/],
    ['client token too long', (i) => (i.ClientToken = 'x'.repeat(2049)), /at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 2048/],
    ['provisional TTL required', (i) => (i.ConsumptionConfiguration = { ProvisionalConfiguration: {} as never }), /Value null at 'consumptionConfiguration.provisionalConfiguration.maxTimeToLiveInMinutes'/],
    ['borrow configuration members', (i) => (i.ConsumptionConfiguration = { BorrowConfiguration: { MaxTimeToLiveInMinutes: 5 } as never }), /Value null at 'consumptionConfiguration.borrowConfiguration.allowEarlyCheckIn'/],
    ['negative MaxCount', (i) => (i.Entitlements = [{ Name: 'Seats', Unit: 'Count', MaxCount: -1 }]), /'entitlements.1.member.maxCount' failed to satisfy constraint: Member must have value greater than or equal to 0/],
    ['duplicate entitlement', (i) => (i.Entitlements = [{ Name: 'A', Unit: 'Count' }, { Name: 'A', Unit: 'Count' }]), /unique/],
  ];
  for (const [name, mutate, message] of cases) {
    test(name, async () => {
      const input = sampleLicense();
      mutate(input);
      await expectAwsError(lm().send(new CreateLicenseCommand(input)), 'ValidationException', { status: 400, message });
    });
  }

  test('a SignKey that is not a KMS signing key: InvalidParameterValueException', async () => {
    const input = sampleLicense();
    input.Issuer = { Name: 'Example ISV', SignKey: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' };
    await expectAwsError(lm().send(new CreateLicenseCommand(input)), 'InvalidParameterValueException', { message: /SignKey/ });
  });

  test('timestamps with or without a zone are accepted (no zone = UTC)', async () => {
    const input = sampleLicense();
    input.Validity = { Begin: '2021-04-14T05:35:47', End: '2099-04-14T05:35:47.5+02:00' };
    const created = await lm().send(new CreateLicenseCommand(input));
    const { License } = await lm().send(new GetLicenseCommand({ LicenseArn: created.LicenseArn }));
    assert.deepEqual(License?.Validity, input.Validity);
  });

  test('a wrong JSON type is a SerializationException', async () => {
    const input = sampleLicense();
    (input.Entitlements as unknown as Array<Record<string, unknown>>)[0]!.MaxCount = 'ten';
    await expectAwsError(lm().send(new CreateLicenseCommand(input)), 'SerializationException', { status: 400 });
  });
});

describe('GetLicense, ListLicenses, DeleteLicense, GetLicenseUsage errors', () => {
  const unknownArn = 'arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000';

  test('malformed ARN: ValidationException naming licenseArn', async () => {
    await expectAwsError(lm().send(new GetLicenseCommand({ LicenseArn: 'not-an-arn' })), 'ValidationException', {
      message: /Value 'not-an-arn' at 'licenseArn' failed to satisfy constraint: Member must satisfy regular expression pattern: \^arn:aws/,
    });
  });

  test('unknown license: InvalidParameterValueException (the model gives GetLicense no ResourceNotFound)', async () => {
    await expectAwsError(lm().send(new GetLicenseCommand({ LicenseArn: unknownArn })), 'InvalidParameterValueException', { status: 400 });
    await expectAwsError(lm().send(new GetLicenseUsageCommand({ LicenseArn: unknownArn })), 'InvalidParameterValueException');
    await expectAwsError(lm().send(new DeleteLicenseCommand({ LicenseArn: unknownArn, SourceVersion: '1' })), 'InvalidParameterValueException');
  });

  test('DeleteLicense: SourceVersion must match, and a deleted license cannot be deleted again', async () => {
    const lic = await createTestLicense(h.emu);
    await expectAwsError(lm().send(new DeleteLicenseCommand({ LicenseArn: lic.licenseArn, SourceVersion: '2' })), 'ConflictException', { status: 409 });
    await expectAwsError(lm().send(new DeleteLicenseCommand({ LicenseArn: lic.licenseArn } as never)), 'ValidationException', { message: /'sourceVersion'/ });
    await lm().send(new DeleteLicenseCommand({ LicenseArn: lic.licenseArn, SourceVersion: '1' }));
    await expectAwsError(lm().send(new DeleteLicenseCommand({ LicenseArn: lic.licenseArn, SourceVersion: '1' })), 'ConflictException');
    const { License } = await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
    assert.equal(License?.Status, 'DELETED');
  });

  test('ListLicenses filters and pages', async () => {
    const a = await createTestLicense(h.emu, { productSku: `LIST-${process.pid}` });
    const b = await createTestLicense(h.emu, { productSku: `LIST-${process.pid}` });
    const bySku = await lm().send(new ListLicensesCommand({ Filters: [{ Name: 'ProductSKU', Values: [`LIST-${process.pid}`] }] }));
    assert.deepEqual(bySku.Licenses?.map((l) => l.LicenseArn).sort(), [a.licenseArn, b.licenseArn].sort());
    const page1 = await lm().send(new ListLicensesCommand({ LicenseArns: [a.licenseArn, b.licenseArn], MaxResults: 1 }));
    assert.equal(page1.Licenses?.length, 1);
    assert.ok(page1.NextToken);
    const page2 = await lm().send(new ListLicensesCommand({ LicenseArns: [a.licenseArn, b.licenseArn], MaxResults: 1, NextToken: page1.NextToken }));
    assert.equal(page2.Licenses?.length, 1);
    assert.equal(page2.NextToken, undefined);
    await expectAwsError(lm().send(new ListLicensesCommand({ Filters: [{ Name: 'Color', Values: ['red'] }] })), 'InvalidParameterValueException');
    await expectAwsError(lm().send(new ListLicensesCommand({ MaxResults: 101 })), 'ValidationException', { message: /'maxResults'.*less than or equal to 100/ });
  });

  test('CreateLicenseVersion changes status; a DEACTIVATED license grants nothing', async () => {
    const lic = await createTestLicense(h.emu);
    const { License } = await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
    const { LicenseArn, LicenseName, ProductName, Issuer, HomeRegion, Validity, Entitlements, ConsumptionConfiguration } = License!;
    const body = { LicenseArn, LicenseName, ProductName, Issuer: { Name: Issuer?.Name }, HomeRegion, Validity, Entitlements, ConsumptionConfiguration };
    const v2 = await lm().send(new CreateLicenseVersionCommand({ ...body, Status: 'DEACTIVATED', SourceVersion: '1', ClientToken: clientToken() } as never));
    assert.equal(v2.Version, '2');
    await expectAwsError(checkout(lic), 'NoEntitlementsAllowedException');
    await expectAwsError(
      lm().send(new CreateLicenseVersionCommand({ ...body, Status: 'AVAILABLE', SourceVersion: '1', ClientToken: clientToken() } as never)),
      'ConflictException',
    );
    await lm().send(new CreateLicenseVersionCommand({ ...body, Status: 'AVAILABLE', SourceVersion: '2', ClientToken: clientToken() } as never));
    assert.equal((await checkout(lic)).EntitlementsAllowed?.length, 1);
    const old = await lm().send(new GetLicenseCommand({ LicenseArn: lic.licenseArn, Version: '2' }));
    assert.equal(old.License?.Status, 'DEACTIVATED');
  });
});

describe('CheckoutLicense semantics', () => {
  test('validation: required members, CheckoutType enum, entitlement value', async () => {
    await expectAwsError(lm().send(new CheckoutLicenseCommand({} as CheckoutLicenseCommandInput)), 'ValidationException', {
      message: /Value null at 'entitlements' failed to satisfy constraint: Member must not be null/,
    });
    const lic = await createTestLicense(h.emu);
    await expectAwsError(checkout(lic, { CheckoutType: 'FLOATING' as 'PROVISIONAL' }), 'ValidationException', {
      message: /Value 'FLOATING' at 'checkoutType' failed to satisfy constraint: Member must satisfy enum value set: \[PROVISIONAL, PERPETUAL\]/,
    });
    await expectAwsError(checkout(lic, { Entitlements: [{ Name: 'Seats', Value: 'many', Unit: 'Count' }] }), 'ValidationException', {
      message: /'entitlements.1.member.value'/,
    });
    await expectAwsError(checkout(lic, { ClientToken: 'a b' }), 'ValidationException', { message: /'clientToken'/ });
  });

  test('grants the subset available; nothing available: NoEntitlementsAllowedException', async () => {
    const lic = await createTestLicense(h.emu, {
      entitlements: [
        { Name: 'Seats', Unit: 'Count', MaxCount: 1, AllowCheckIn: true },
        { Name: 'Tier Pro', Unit: 'None', Value: 'Enabled', AllowCheckIn: true },
      ],
    });
    const co = await checkout(lic, {
      Entitlements: [
        { Name: 'Seats', Value: '1', Unit: 'Count' },
        { Name: 'Tier Pro', Unit: 'None' },
        { Name: 'Tier Enterprise', Unit: 'None' },
      ],
    });
    assert.deepEqual(co.EntitlementsAllowed, [
      { Name: 'Seats', Value: '1', Unit: 'Count' },
      { Name: 'Tier Pro', Value: 'Enabled', Unit: 'None' },
    ]);
    const second = await checkout(lic, { Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }, { Name: 'Tier Pro', Unit: 'None' }] });
    assert.deepEqual(second.EntitlementsAllowed, [{ Name: 'Tier Pro', Value: 'Enabled', Unit: 'None' }], 'seats exhausted, feature still granted');
    await expectAwsError(checkout(lic), 'NoEntitlementsAllowedException', { status: 400 });
    await expectAwsError(checkout(lic, { Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Bytes' }] }), 'NoEntitlementsAllowedException');
  });

  test('unknown SKU or fingerprint, or another beneficiary: NoEntitlementsAllowedException', async () => {
    const lic = await createTestLicense(h.emu);
    await expectAwsError(checkout({ ...lic, productSku: 'NO-SUCH-SKU' }), 'NoEntitlementsAllowedException');
    await expectAwsError(checkout({ ...lic, keyFingerprint: 'aws:294406891311:AWS/Marketplace:issuer-fingerprint' }), 'NoEntitlementsAllowedException');
    await expectAwsError(checkout(lic, { Beneficiary: '444455556666' }), 'NoEntitlementsAllowedException');
  });

  test('Overage lets consumption exceed MaxCount', async () => {
    const lic = await createTestLicense(h.emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1, Overage: true, AllowCheckIn: true }] });
    await checkout(lic);
    await checkout(lic);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 2 });
    assert.equal(h.emu.stats().licenses[lic.licenseArn]?.entitlements.Seats?.peak, 2);
  });

  test('values above one count in full', async () => {
    const lic = await createTestLicense(h.emu, { seats: 5 });
    await checkout(lic, { Entitlements: [{ Name: 'Seats', Value: '4', Unit: 'Count' }] });
    await expectAwsError(checkout(lic, { Entitlements: [{ Name: 'Seats', Value: '2', Unit: 'Count' }] }), 'NoEntitlementsAllowedException');
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 4 });
  });

  test('validity window: not yet valid and expired licenses grant nothing', async () => {
    const future = await createTestLicense(h.emu, { validity: { Begin: '2099-01-01T00:00:00' } });
    await expectAwsError(checkout(future), 'NoEntitlementsAllowedException');
    const past = await createTestLicense(h.emu, { validity: { Begin: '2020-01-01T00:00:00Z', End: '2021-01-01T00:00:00Z' } });
    await expectAwsError(checkout(past), 'NoEntitlementsAllowedException');
  });

  test('PERPETUAL is consumed for good: check-in refused, seat never returns', async () => {
    const lic = await createTestLicense(h.emu, { seats: 3 });
    const co = await checkout(lic, { CheckoutType: 'PERPETUAL', Entitlements: [{ Name: 'Seats', Value: '2', Unit: 'Count' }] });
    assert.equal(co.CheckoutType, 'PERPETUAL');
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ConflictException', { status: 409 });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 2 });
  });
});

describe('CheckInLicense and ExtendLicenseConsumption errors', () => {
  test('unknown or already checked-in token: ResourceNotFoundException', async () => {
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: 'ffffffffffffffffffffffffffffffff' })), 'ResourceNotFoundException', {
      message: /License consumption token not found/,
    });
    const lic = await createTestLicense(h.emu);
    const co = await checkout(lic);
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken }));
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ResourceNotFoundException');
    await expectAwsError(lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ResourceNotFoundException');
    await expectAwsError(lm().send(new CheckInLicenseCommand({} as never)), 'ValidationException', { message: /Value null at 'licenseConsumptionToken'/ });
  });

  test('AllowCheckIn false: ConflictException, seat stays', async () => {
    const lic = await createTestLicense(h.emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2 }] });
    const co = await checkout(lic);
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ConflictException', {
      message: /AllowCheckIn/,
    });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });

  test('a different beneficiary cannot check in', async () => {
    const lic = await createTestLicense(h.emu);
    const co = await checkout(lic, { Beneficiary: '111122223333' });
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken, Beneficiary: '999988887777' })), 'ValidationException');
  });

  test('DryRun extension changes nothing', async () => {
    const lic = await createTestLicense(h.emu);
    const co = await checkout(lic);
    await lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken, DryRun: true }));
    const events = h.emu.stats().events.filter((e) => e.type === 'extend' && e.licenseArn === lic.licenseArn);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type === 'extend' && events[0].dryRun, true);
  });
});
