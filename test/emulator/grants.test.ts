// Accounts, grants and permissions: an ISV's license reaches a customer's account as a grant the
// customer accepts and activates; the customer's CI key may only consume.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import {
  AcceptGrantCommand,
  CheckInLicenseCommand,
  CheckoutBorrowLicenseCommand,
  CreateGrantCommand,
  CreateGrantVersionCommand,
  DeleteGrantCommand,
  ExtendLicenseConsumptionCommand,
  GetGrantCommand,
  GetLicenseCommand,
  GetLicenseUsageCommand,
  ListDistributedGrantsCommand,
  ListLicensesCommand,
  ListReceivedGrantsCommand,
  ListReceivedLicensesCommand,
  RejectGrantCommand,
} from '@aws-sdk/client-license-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { checkoutSeat, createTestLicense, expectAwsError, licenseManagerClient, seatUsage, stsClient, withEmulator, type Credentials } from '../support/emulator.js';

const ISV = '111122223333';
const CUSTOMER = '444455556666';
const isv: Credentials = { accessKeyId: 'isv', secretAccessKey: 'isv-secret' };
const admin: Credentials = { accessKeyId: 'cust-admin', secretAccessKey: 'admin-secret' };
const ci: Credentials = { accessKeyId: 'cust-ci', secretAccessKey: 'ci-secret' };
const CONSUME = ['license-manager:CheckoutLicense', 'license-manager:CheckInLicense', 'license-manager:ExtendLicenseConsumption', 'license-manager:GetLicense'];

const h = withEmulator({
  accountId: ISV,
  credentials: [
    { ...isv },
    { ...admin, accountId: CUSTOMER },
    { ...ci, accountId: CUSTOMER },
  ],
  allow: { 'cust-ci': CONSUME },
});
const lm = (c: Credentials) => licenseManagerClient(h.emu, c, { maxAttempts: 1 });
const token = () => randomBytes(8).toString('hex');

/** An ISV license granted to the customer, in the state `to` names. */
async function granted(to: 'PENDING_ACCEPT' | 'DISABLED' | 'ACTIVE', operations = ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense'] as const) {
  const lic = await createTestLicense(h.emu, { credentials: isv, seats: 2 });
  const { GrantArn } = await lm(isv).send(
    new CreateGrantCommand({ ClientToken: token(), GrantName: 'ci', LicenseArn: lic.licenseArn, Principals: [`arn:aws:iam::${CUSTOMER}:root`], HomeRegion: 'us-east-1', AllowedOperations: [...operations] }),
  );
  if (to !== 'PENDING_ACCEPT') await lm(admin).send(new AcceptGrantCommand({ GrantArn }));
  if (to === 'ACTIVE') await lm(admin).send(new CreateGrantVersionCommand({ GrantArn, Status: 'ACTIVE', ClientToken: token() }));
  return { lic, grantArn: GrantArn! };
}
const customerCheckout = (lic: { productSku: string; keyFingerprint: string }, creds = ci) => checkoutSeat(h.emu, lic, { Beneficiary: undefined }, { credentials: creds, maxAttempts: 1 });

describe('accounts', () => {
  test('each key acts as its account: STS, the license ARN and fingerprint, ListLicenses', async () => {
    assert.equal((await stsClient(h.emu, ci).send(new GetCallerIdentityCommand({}))).Account, CUSTOMER);
    assert.equal((await stsClient(h.emu, ci).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${CUSTOMER}:user/cust-ci`);
    const own = await createTestLicense(h.emu, { credentials: admin, beneficiary: CUSTOMER });
    assert.match(own.licenseArn, new RegExp(`^arn:aws:license-manager::${CUSTOMER}:license:l-`));
    const { License } = await lm(admin).send(new GetLicenseCommand({ LicenseArn: own.licenseArn }));
    assert.equal(License?.Issuer?.KeyFingerprint, `aws:${CUSTOMER}:Example ISV:issuer-fingerprint`);
    const isvLicenses = (await lm(isv).send(new ListLicensesCommand({}))).Licenses ?? [];
    assert.ok(!isvLicenses.some((l) => l.LicenseArn === own.licenseArn), 'another account\'s license is not listed');
  });

  test('another account cannot read, change or consume a license that was not granted to it', async () => {
    const lic = await createTestLicense(h.emu, { credentials: isv });
    await expectAwsError(lm(admin).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn })), 'InvalidParameterValueException');
    await expectAwsError(lm(admin).send(new GetLicenseUsageCommand({ LicenseArn: lic.licenseArn })), 'InvalidParameterValueException');
    await expectAwsError(customerCheckout(lic, admin), 'NoEntitlementsAllowedException');
    await expectAwsError(
      lm(admin).send(new CreateGrantCommand({ ClientToken: token(), GrantName: 'x', LicenseArn: lic.licenseArn, Principals: [`arn:aws:iam::${CUSTOMER}:root`], HomeRegion: 'us-east-1', AllowedOperations: ['CheckoutLicense'] })),
      'AuthorizationException',
      { status: 403 },
    );
  });
});

describe('grants', () => {
  test('PENDING_ACCEPT → accept → DISABLED → activate → ACTIVE; only then the customer consumes, counted on the ISV\'s license', async () => {
    const { lic, grantArn } = await granted('PENDING_ACCEPT');
    const get = async () => (await lm(admin).send(new GetGrantCommand({ GrantArn: grantArn }))).Grant;
    assert.equal((await get())?.GrantStatus, 'PENDING_ACCEPT');
    assert.equal((await get())?.GranteePrincipalArn, `arn:aws:iam::${CUSTOMER}:root`);
    assert.deepEqual((await get())?.GrantedOperations, ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense']);
    await expectAwsError(customerCheckout(lic), 'NoEntitlementsAllowedException');
    // The customer already sees a pending license (GetLicense is how it learns what it was offered).
    assert.equal((await lm(ci).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }))).License?.LicenseArn, lic.licenseArn);

    await expectAwsError(lm(admin).send(new CreateGrantVersionCommand({ GrantArn: grantArn, Status: 'ACTIVE', ClientToken: token() })), 'ValidationException', { message: /accept it first/ });
    const accepted = await lm(admin).send(new AcceptGrantCommand({ GrantArn: grantArn }));
    assert.deepEqual([accepted.Status, accepted.Version], ['DISABLED', '2']);
    await expectAwsError(customerCheckout(lic), 'NoEntitlementsAllowedException');

    const active = await lm(admin).send(new CreateGrantVersionCommand({ GrantArn: grantArn, Status: 'ACTIVE', ClientToken: token() }));
    assert.deepEqual([active.Status, active.Version], ['ACTIVE', '3']);
    const out = await customerCheckout(lic);
    assert.equal(out.LicenseArn, lic.licenseArn);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn, isv), { Seats: 1 }, 'usage is on the ISV\'s license');
    await lm(ci).send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken }));
    // Only the account that checked out may extend or check in.
    await expectAwsError(lm(isv).send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken })), 'ResourceNotFoundException');
    await lm(ci).send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken }));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn, isv), { Seats: 0 });
  });

  test('the customer\'s own account needs no Beneficiary; a wrong one is refused', async () => {
    const { lic } = await granted('ACTIVE');
    await expectAwsError(checkoutSeat(h.emu, lic, { Beneficiary: 'someone-else' }, { credentials: ci, maxAttempts: 1 }), 'NoEntitlementsAllowedException');
    assert.ok((await checkoutSeat(h.emu, lic, { Beneficiary: ISV }, { credentials: ci, maxAttempts: 1 })).LicenseConsumptionToken, 'the license\'s own Beneficiary is accepted');
  });

  test('a grant deactivated mid-job: no new checkouts, no extension; a check-in still returns the seat', async () => {
    const { lic, grantArn } = await granted('ACTIVE');
    const out = await customerCheckout(lic);
    await lm(admin).send(new CreateGrantVersionCommand({ GrantArn: grantArn, Status: 'DISABLED', ClientToken: token() }));
    await expectAwsError(customerCheckout(lic), 'NoEntitlementsAllowedException');
    await expectAwsError(lm(ci).send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken })), 'ValidationException', { message: /No ACTIVE grant/ });
    await lm(ci).send(new CheckInLicenseCommand({ LicenseConsumptionToken: out.LicenseConsumptionToken }));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn, isv), { Seats: 0 });
  });

  test('only the operations a grant allows: no CheckoutBorrowLicense here', async () => {
    const lic = await createTestLicense(h.emu, { credentials: isv, borrow: true, signKeySpec: 'RSA_2048' });
    const { GrantArn } = await lm(isv).send(
      new CreateGrantCommand({ ClientToken: token(), GrantName: 'ci', LicenseArn: lic.licenseArn, Principals: [`arn:aws:iam::${CUSTOMER}:root`], HomeRegion: 'us-east-1', AllowedOperations: ['CheckoutLicense'] }),
    );
    await lm(admin).send(new AcceptGrantCommand({ GrantArn }));
    await lm(admin).send(new CreateGrantVersionCommand({ GrantArn, Status: 'ACTIVE', ClientToken: token() }));
    const borrow = () =>
      lm(admin).send(new CheckoutBorrowLicenseCommand({ LicenseArn: lic.licenseArn, Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }], DigitalSignatureMethod: 'JWT_PS384', ClientToken: token() }));
    await expectAwsError(borrow(), 'NoEntitlementsAllowedException');
    await lm(isv).send(new CreateGrantVersionCommand({ GrantArn, AllowedOperations: ['CheckoutLicense', 'CheckoutBorrowLicense'], ClientToken: token() }));
    assert.ok((await borrow()).SignedToken);
  });

  test('reject, delete, and who may do what', async () => {
    const { grantArn } = await granted('PENDING_ACCEPT');
    await expectAwsError(lm(isv).send(new AcceptGrantCommand({ GrantArn: grantArn })), 'AuthorizationException', { status: 403 });
    await expectAwsError(lm(admin).send(new AcceptGrantCommand({ GrantArn: 'arn:aws:license-manager::111122223333:grant:g-00000000000000000000000000000000' })), 'InvalidParameterValueException');
    assert.equal((await lm(admin).send(new RejectGrantCommand({ GrantArn: grantArn }))).Status, 'REJECTED');
    await expectAwsError(lm(admin).send(new AcceptGrantCommand({ GrantArn: grantArn })), 'ValidationException');

    const other = await granted('ACTIVE');
    await expectAwsError(lm(admin).send(new DeleteGrantCommand({ GrantArn: other.grantArn, Version: '3' })), 'AuthorizationException');
    await expectAwsError(lm(isv).send(new DeleteGrantCommand({ GrantArn: other.grantArn, Version: '1' })), 'ValidationException', { message: /current version 3/ });
    assert.equal((await lm(isv).send(new DeleteGrantCommand({ GrantArn: other.grantArn, Version: '3' }))).Status, 'DELETED');
    await expectAwsError(customerCheckout(other.lic), 'NoEntitlementsAllowedException');
    await expectAwsError(lm(ci).send(new GetLicenseCommand({ LicenseArn: other.lic.licenseArn })), 'InvalidParameterValueException');
    assert.equal((await lm(admin).send(new GetGrantCommand({ GrantArn: other.grantArn, Version: '2' }))).Grant?.GrantStatus, 'DISABLED', 'old versions stay readable');
  });

  test('ListReceivedGrants, ListDistributedGrants and ListReceivedLicenses show each side, with filters', async () => {
    const { lic, grantArn } = await granted('DISABLED');
    const received = (await lm(admin).send(new ListReceivedGrantsCommand({ Filters: [{ Name: 'ProductSKU', Values: [lic.productSku] }] }))).Grants ?? [];
    assert.deepEqual(received.map((g) => [g.GrantArn, g.GrantStatus]), [[grantArn, 'DISABLED']]);
    assert.deepEqual((await lm(isv).send(new ListReceivedGrantsCommand({ Filters: [{ Name: 'ProductSKU', Values: [lic.productSku] }] }))).Grants, []);
    const distributed = (await lm(isv).send(new ListDistributedGrantsCommand({ Filters: [{ Name: 'LicenseArn', Values: [lic.licenseArn] }] }))).Grants ?? [];
    assert.deepEqual(distributed.map((g) => g.GrantArn), [grantArn]);
    const licenses = (await lm(admin).send(new ListReceivedLicensesCommand({ Filters: [{ Name: 'ProductSKU', Values: [lic.productSku] }] }))).Licenses ?? [];
    assert.equal(licenses.length, 1);
    assert.deepEqual(licenses[0]?.ReceivedMetadata, { ReceivedStatus: 'DISABLED', AllowedOperations: ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense'] });
    await expectAwsError(lm(admin).send(new ListReceivedGrantsCommand({ Filters: [{ Name: 'Colour', Values: ['x'] }] })), 'InvalidParameterValueException', { message: /Colour/ });
  });
});

describe('permissions', () => {
  test('a key limited to the consumption policy: AccessDeniedException (401) naming the action, before any fault or effect', async () => {
    const { lic } = await granted('ACTIVE');
    const e = await expectAwsError(lm(ci).send(new GetLicenseUsageCommand({ LicenseArn: lic.licenseArn })), 'AccessDeniedException', { status: 401 });
    assert.equal(e.message, `User: arn:aws:iam::${CUSTOMER}:user/cust-ci is not authorized to perform: license-manager:GetLicenseUsage because no identity-based policy allows the license-manager:GetLicenseUsage action`);
    await expectAwsError(lm(ci).send(new ListReceivedGrantsCommand({})), 'AccessDeniedException');
    await expectAwsError(lm(ci).send(new AcceptGrantCommand({ GrantArn: 'arn:aws:license-manager::111122223333:grant:g-1' })), 'AccessDeniedException');
    assert.equal((await stsClient(h.emu, ci).send(new GetCallerIdentityCommand({}))).Account, CUSTOMER, 'GetCallerIdentity needs no permission');
    assert.ok((await customerCheckout(lic)).LicenseConsumptionToken, 'what the policy allows works');
  });

  test('license-token sessions get the consumption policy unless their role is listed', async () => {
    await withEmulator({ allow: { 'arn:aws:iam::111122223333:role/Wide': ['license-manager:*'] } }, async (emu) => {
      const { CreateTokenCommand, GetAccessTokenCommand } = await import('@aws-sdk/client-license-manager');
      const { AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
      const lic = await createTestLicense(emu);
      const session = async (role: string) => {
        const { Token } = await licenseManagerClient(emu).send(new CreateTokenCommand({ LicenseArn: lic.licenseArn, RoleArns: [role], ClientToken: token() }));
        const { AccessToken } = await licenseManagerClient(emu).send(new GetAccessTokenCommand({ Token }));
        const { Credentials: c } = await stsClient(emu).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role, RoleSessionName: 'ci', WebIdentityToken: AccessToken }));
        return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
      };
      const narrow = await session('arn:aws:iam::111122223333:role/Consumer');
      await licenseManagerClient(emu, narrow).send(new GetLicenseCommand({ LicenseArn: lic.licenseArn }));
      await expectAwsError(licenseManagerClient(emu, narrow, { maxAttempts: 1 }).send(new GetLicenseUsageCommand({ LicenseArn: lic.licenseArn })), 'AccessDeniedException');
      const wide = await session('arn:aws:iam::111122223333:role/Wide');
      await licenseManagerClient(emu, wide).send(new GetLicenseUsageCommand({ LicenseArn: lic.licenseArn }));
    });
  });
});
