// The action as most of its users run it: in an ISV's customer's account, on a license granted to
// that account, with a CI role that carries only AWS's consumption policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { AcceptGrantCommand, CreateGrantCommand, CreateGrantVersionCommand } from '@aws-sdk/client-license-manager';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense, licenseManagerClient, seatUsage, type Credentials } from '../support/emulator.js';
import { awsEnv, runAction, startAction, type ActionResult } from '../support/run-action.js';

const ISV = '111122223333';
const CUSTOMER = '444455556666';
const isv: Credentials = { accessKeyId: 'isv-admin', secretAccessKey: 'isv-secret' };
const admin: Credentials = { accessKeyId: 'customer-admin', secretAccessKey: 'admin-secret' };
const ci: Credentials = { accessKeyId: 'customer-ci', secretAccessKey: 'ci-secret' };
const readOnly: Credentials = { accessKeyId: 'customer-reader', secretAccessKey: 'reader-secret' };
const CONSUMPTION_POLICY = ['license-manager:CheckoutLicense', 'license-manager:CheckInLicense', 'license-manager:ExtendLicenseConsumption', 'license-manager:GetLicense'];
// One TTL minute lasts 200 ms.
const MINUTE_MS = 200;

let emu: Emulator;
before(async () => {
  emu = await startEmulator({
    port: 0,
    minuteMs: MINUTE_MS,
    accountId: ISV,
    credentials: [isv, { ...admin, accountId: CUSTOMER }, { ...ci, accountId: CUSTOMER }, { ...readOnly, accountId: CUSTOMER }],
    allow: { 'customer-ci': CONSUMPTION_POLICY, 'customer-reader': ['license-manager:GetLicense'] },
  });
});
after(() => emu.close());

const lm = (c: Credentials) => licenseManagerClient(emu, c);
const main = (inputs: Record<string, string>, as: Credentials = ci) => runAction('main', { inputs, env: awsEnv(emu.url, as) });
const post = (from: ActionResult, as: Credentials = ci) => runAction('post', { state: from.state, job: from.job, env: awsEnv(emu.url, as) });

/** The ISV's license, granted to the customer and taken as far as `to`. */
async function grantedLicense(to: 'none' | 'PENDING_ACCEPT' | 'DISABLED' | 'ACTIVE', seats = 1) {
  const lic = await createTestLicense(emu, { credentials: isv, seats, ttlMinutes: 10, productName: 'Widget Pro' });
  if (to === 'none') return { lic, grantArn: '' };
  const token = () => randomBytes(8).toString('hex');
  const { GrantArn } = await lm(isv).send(
    new CreateGrantCommand({
      ClientToken: token(), GrantName: 'customer CI', LicenseArn: lic.licenseArn, Principals: [`arn:aws:iam::${CUSTOMER}:root`], HomeRegion: emu.region,
      AllowedOperations: ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense'],
    }),
  );
  if (to !== 'PENDING_ACCEPT') await lm(admin).send(new AcceptGrantCommand({ GrantArn }));
  if (to === 'ACTIVE') await lm(admin).send(new CreateGrantVersionCommand({ GrantArn, Status: 'ACTIVE', ClientToken: token() }));
  return { lic, grantArn: GrantArn! };
}

describe('in a customer account, with only the consumption policy (dist bundles, Node 24, emulator)', () => {
  test('check out, keep alive over several TTLs, wait for the seat, check in: no warnings, the usage on the ISV\'s license', async () => {
    const { lic } = await grantedLicense('ACTIVE', 1);
    const first = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
    assert.equal(first.code, 0, first.stdout);
    assert.doesNotMatch(first.stdout, /beneficiary|Diagnosis/i, 'a customer needs no Beneficiary and nothing is refused');
    assert.equal(first.warnings.length, 0, first.stdout);

    const second = startAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '60s' }, env: awsEnv(emu.url, ci) });
    await second.printed(/No seat yet/, 20_000);
    await delay(5 * 10 * MINUTE_MS / 2); // 2.5 TTLs: the first job's keepalive extends meanwhile
    assert.deepEqual(await seatUsage(emu, lic.licenseArn, isv), { Seats: 1 }, 'the first job still holds its seat');
    const p1 = await post(first);
    assert.match(p1.stdout, /Keepalive: [1-9]\d* extension\(s\)/);
    assert.match(p1.stdout, /Checked in/);
    assert.equal(p1.warnings.length, 0, p1.stdout);

    const s = await second.done;
    assert.equal(s.code, 0, s.stdout);
    const couldNot = s.stdout.split('\n').filter((l) => l.includes('Diagnosis: could not read'));
    assert.ok(couldNot.length <= 1, 'what the role may not read is said at most once');
    assert.equal(s.warnings.length, 0, s.stdout);
    const p2 = await post(s);
    assert.match(p2.stdout, /Checked in/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn, isv), { Seats: 0 });
  });

  test('a grant waiting to be accepted: a consumption-only role is told how to look; one that may read grants is told what to run', async () => {
    const { lic, grantArn } = await grantedLicense('PENDING_ACCEPT');
    const narrow = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
    assert.equal(narrow.code, 1);
    assert.equal(narrow.errors.length, 1, narrow.stdout);
    assert.match(narrow.errors[0]!, new RegExp(`To see this account's grants: aws license-manager list-received-grants --filters Name=LicenseArn,Values=${lic.licenseArn}`));
    assert.match(narrow.stdout, /Diagnosis: could not read ListReceivedGrants \(AccessDeniedException: the role may not call license-manager:ListReceivedGrants/);

    const wide = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, admin);
    assert.match(wide.errors[0]!, new RegExp(`grant ${grantArn} waits to be accepted: run aws license-manager accept-grant --grant-arn ${grantArn}, then aws license-manager create-grant-version --grant-arn ${grantArn} --status ACTIVE`));
  });

  test('accepted but not activated: the command to activate it; with a wait-timeout, no waiting', async () => {
    const { lic, grantArn } = await grantedLicense('DISABLED');
    const started = Date.now();
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '60s' }, admin);
    assert.equal(r.code, 1);
    assert.ok(Date.now() - started < 15_000, 'it did not wait');
    assert.match(r.errors[0]!, new RegExp(`^Not entitled, and waiting would not help: grant ${grantArn} is accepted but not active: run aws license-manager create-grant-version --grant-arn ${grantArn} --status ACTIVE`));
  });

  test('no grant at all: GetLicense says it does not exist here, and the step points at the grants', async () => {
    const { lic } = await grantedLicense('none');
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
    assert.equal(r.code, 1);
    assert.match(r.errors[0]!, /If it is an ISV's license, this account sees it only once granted: aws license-manager list-received-grants/);
    const bySku = await main({ 'product-sku': lic.productSku, 'key-fingerprint': lic.keyFingerprint, entitlements: 'Seats = 1' }, admin);
    assert.match(bySku.errors[0]!, new RegExp(`no grant of SKU ${lic.productSku} reached this account: ask the issuer to grant it to arn:aws:iam::${CUSTOMER}:root`));
  });

  test('a role without CheckoutLicense: AccessDenied names the IAM action', async () => {
    const { lic } = await grantedLicense('ACTIVE');
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, readOnly);
    assert.equal(r.code, 1);
    assert.match(r.errors[0]!, /CheckoutLicense was denied \(AccessDeniedException\): the job's AWS identity lacks license-manager:CheckoutLicense/);
  });
});
