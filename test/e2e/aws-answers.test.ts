// The bundles against License Manager as it really answers (see emulator/README.md): throttling
// with HTTP 400, features with the license's own values, the creating account's Beneficiary,
// same-SKU licenses, a license that ends mid-job, and borrow refusals.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { CheckInLicenseCommand, CheckoutBorrowLicenseCommand } from '@aws-sdk/client-license-manager';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createSignKey, createTestLicense, kmsClient, licenseManagerClient, seatUsage, setLicenseStatus } from '../support/emulator.js';
import { awsEnv, running, runAction, type ActionResult } from '../support/run-action.js';

// One TTL minute lasts 200 ms.
const MINUTE_MS = 200;
let emu: Emulator;
let signKeyArn: string;
/** The issuer's public key as an air-gapped runner holds it (KMS GetPublicKey, as PEM). */
let publicPem: string;
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
  signKeyArn = await createSignKey(emu, 'RSA_2048');
  const { PublicKey } = await kmsClient(emu).send(new GetPublicKeyCommand({ KeyId: signKeyArn }));
  publicPem = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
});
after(() => emu.close());

const main = (inputs: Record<string, string>) => runAction('main', { inputs, env: awsEnv(emu.url) });
const post = (from: ActionResult, inputs: Record<string, string> = {}) => runAction('post', { inputs, state: from.state, job: from.job, env: awsEnv(emu.url) });
const seats = (n: number, extra: Parameters<typeof createTestLicense>[1] = {}) =>
  createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: n, AllowCheckIn: true }], ...extra });

async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await delay(50);
  }
  return check();
}

describe('License Manager as it really answers (dist bundles, Node 24, emulator)', () => {
  test('throttling answered with HTTP 400: checkout and check-in both get through, one seat, none left', async () => {
    const lic = await seats(3);
    // Only the steps meet the faults: the test's own reads are plain SDK clients, which would not retry a 400.
    const throttled = async <T>(run: () => Promise<T>): Promise<T> => {
      emu.setFaults('throttle=0.5,seed=21');
      try {
        return await run();
      } finally {
        emu.setFaults(undefined);
      }
    };
    const r = await throttled(() => main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId }));
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
    const p = await throttled(() => post(r, { beneficiary: emu.accountId }));
    assert.equal(p.code, 0, p.stdout);
    assert.match(p.stdout, /Checked in/);
    assert.equal(p.warnings.length, 0, p.stdout);
    const ops = emu.stats().requests.byOperation;
    assert.ok((ops.CheckoutLicense?.throttled ?? 0) + (ops.CheckInLicense?.throttled ?? 0) + (ops.GetLicense?.throttled ?? 0) >= 2, 'throttled answers were met');
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    assert.equal(emu.stats().events.filter((e) => e.type === 'checkout' && e.licenseArn === lic.licenseArn && !e.replay).length, 1, 'one consumption');
  });

  test('features: a name alone asks for Unit None; the outputs carry the license\'s own value', async () => {
    const lic = await createTestLicense(emu, {
      entitlements: [
        { Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true },
        { Name: 'Premium', Unit: 'None', Value: 'Enabled', AllowCheckIn: true },
        { Name: 'Support', Unit: 'None', AllowCheckIn: true },
      ],
    });
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nPremium\nSupport\nPlatinum Tier (optional)', keepalive: 'false' });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(JSON.parse(r.outputs.entitlements!), [
      { name: 'Seats', value: '1', unit: 'Count' },
      { name: 'Premium', value: 'Enabled', unit: 'None' },
      { name: 'Support', unit: 'None' },
    ]);
    assert.deepEqual(JSON.parse(r.outputs.missing!), ['Platinum Tier']);
    assert.match(r.summary, /\| Premium \| Enabled \| granted \|/);
    const p = await post(r);
    assert.match(p.stdout, /Checked in/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0, Premium: 0, Support: 0 });
  });

  test('a borrowed token with a feature verifies offline against a feature expectation', async () => {
    const lic = await createTestLicense(emu, {
      entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }, { Name: 'Premium', Unit: 'None', Value: 'Enabled', AllowCheckIn: true }],
      borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 },
      signKey: signKeyArn,
    });
    const b = await main({ mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nPremium', 'kms-key-id': signKeyArn });
    assert.equal(b.code, 0, b.stdout);
    assert.match(b.summary, /Signed token verified/);
    const v = await runAction('verify', { inputs: { 'token-file': b.outputs['token-file']!, 'public-key': publicPem, entitlements: 'Premium\nSeats = 1' } });
    assert.equal(v.outputs.valid, 'true', v.stdout);
    assert.deepEqual(JSON.parse(v.outputs.entitlements!), [{ name: 'Seats', value: '1', unit: 'Count' }, { name: 'Premium', value: 'Enabled', unit: 'None' }]);
    const wanting = await runAction('verify', { inputs: { 'token-file': b.outputs['token-file']!, 'public-key': publicPem, entitlements: 'Premium = 1 None', 'fail-on-invalid': 'false' } });
    assert.equal(wanting.outputs.valid, 'false');
    assert.match(wanting.outputs.reason!, /"Enabled", not a number/);
  });

  test('the account that created the license: the step names itself as Beneficiary, and checks in so', async () => {
    const lic = await seats(2);
    const before = emu.stats().events.length;
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`This job runs in account ${emu.accountId}, which created the license`));
    const attempts = emu.stats().events.slice(before).filter((e) => e.type === 'checkout');
    assert.deepEqual(attempts.map((e) => (e.type === 'checkout' ? e.error ?? 'granted' : '')), ['NoEntitlementsAllowedException', 'granted']);
    assert.equal((JSON.parse(r.state.consumption!) as { beneficiary?: string }).beneficiary, emu.accountId);
    assert.equal((emu.stats().requests.byOperation.GetCallerIdentity?.total ?? 0) > 0, true, 'STS was asked');
    const p = await post(r);
    assert.match(p.stdout, /Checked in/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });

    const direct = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId });
    assert.equal(direct.code, 0);
    assert.doesNotMatch(direct.stdout, /which created the license/, 'given as an input, no second try');
    await post(direct, { beneficiary: emu.accountId });
  });

  test('two licenses with one SKU: the newer is consumed, so the step hands it back and fails naming both', async () => {
    const older = await seats(2, { productSku: 'E2E-SHARED-SKU' });
    const newer = await seats(2, { productSku: 'E2E-SHARED-SKU' });
    const r = await main({ 'license-arn': older.licenseArn, entitlements: 'Seats = 1' });
    assert.equal(r.code, 1);
    assert.equal(r.outputs.entitled, 'false');
    assert.equal(r.errors.length, 1, r.stdout);
    assert.match(r.errors[0]!, new RegExp(`CheckoutLicense consumed license ${newer.licenseArn}, not ${older.licenseArn} that license-arn names.*That consumption was checked in again`));
    assert.deepEqual(await seatUsage(emu, newer.licenseArn), { Seats: 0 });
    assert.deepEqual(await seatUsage(emu, older.licenseArn), { Seats: 0 });
    const p = await post(r);
    assert.match(p.stdout, /Nothing left to do/);
  });

  test('the license suspended mid-job: the keepalive stops and says the license ended; the post step warns so and checks in', async () => {
    const lic = await seats(1, { ttlMinutes: 10 }); // a 2-second TTL
    const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', beneficiary: emu.accountId });
    assert.equal(r.code, 0, r.stdout);
    const { pid, statusFile } = (JSON.parse(r.state.consumption!) as { keepalive: { pid: number; statusFile: string } }).keepalive;
    await setLicenseStatus(emu, lic.licenseArn, 'SUSPENDED');
    assert.ok(await eventually(() => !running(pid), 6_000), 'the keepalive ended by itself');
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { state: string; endedBecause: string };
    assert.equal(status.state, 'ended');
    assert.match(status.endedBecause, /^the license itself ended: the license status is SUSPENDED, not AVAILABLE \(ValidationException on extension\); the seat returns by itself at /);
    const p = await post(r, { beneficiary: emu.accountId });
    assert.equal(p.code, 0);
    assert.equal(p.warnings.length, 1, p.stdout);
    assert.match(p.warnings[0]!, /^The license itself ended during the job: the license status is SUSPENDED, not AVAILABLE\. The keepalive stopped extending/);
    assert.doesNotMatch(p.stdout, /throttling or unavailable|network/i);
    assert.match(p.stdout, /Checked in/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
  });

  test('borrow: an exhausted count (NoEntitlementsAllowed) is waited out; an entitlement the license lacks fails at once', async () => {
    const lic = await createTestLicense(emu, {
      entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1, AllowCheckIn: true }],
      borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 },
      signKey: signKeyArn,
    });
    const other = await licenseManagerClient(emu).send(
      new CheckoutBorrowLicenseCommand({ LicenseArn: lic.licenseArn, Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }], DigitalSignatureMethod: 'JWT_PS384', ClientToken: 'other-borrower' }),
    );
    const waiting = runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '30s' }, env: awsEnv(emu.url) });
    await delay(1_500);
    await licenseManagerClient(emu).send(new CheckInLicenseCommand({ LicenseConsumptionToken: other.LicenseConsumptionToken }));
    const b = await waiting;
    assert.equal(b.code, 0, b.stdout);
    assert.match(b.stdout, /No seat yet \(NoEntitlementsAllowedException\)/);

    const started = Date.now();
    const lacking = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'GPUs = 1', 'wait-timeout': '30s' }, env: awsEnv(emu.url) });
    assert.equal(lacking.code, 1);
    assert.ok(Date.now() - started < 10_000, 'no waiting');
    assert.match(lacking.errors.join('\n'), /waiting would not help: entitlement 'GPUs' is not in the license/);
  });
});
