// The seat guarantees where a retry repeats what already happened: the emulator carries a request
// out and then loses its answer (server-error-after, reset-after), so the SDK's retry arrives a
// second time. One seat, one borrow, one check-in, whatever the retries; a step run again in the
// same job and attempt takes no second seat.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense, seatUsage } from '../support/emulator.js';
import { awsEnv, newJob, runAction, type ActionResult } from '../support/run-action.js';

// One TTL minute lasts 200 ms.
const MINUTE_MS = 200;
let emu: Emulator;
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
});
after(() => emu.close());

const env = () => awsEnv(emu.url);
const seats = (n: number, extra: Parameters<typeof createTestLicense>[1] = {}) =>
  createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: n, AllowCheckIn: true }], ...extra });

/** Runs `step` while the emulator loses answers of requests it carried out; faults are off again before the test looks. */
async function losingAnswers<T>(spec: string, step: () => Promise<T>): Promise<T> {
  emu.setFaults(spec);
  try {
    return await step();
  } finally {
    emu.setFaults(undefined);
  }
}

const consumptionsOf = (licenseArn: string) =>
  new Set(emu.stats().events.flatMap((e) => (e.type === 'checkout' && e.licenseArn === licenseArn && !e.error ? [e.consumptionId] : [])));
const lost = (operation: string) => emu.stats().requests.byOperation[operation]?.answersLost ?? 0;

describe('answers lost after the request was carried out (dist bundles, Node 24, emulator)', () => {
  test('CheckoutLicense: the retry replays the first consumption; one seat taken, and the post step returns it', async () => {
    // A TTL of 2 real minutes: the SDK's backoff through lost answers can take longer than the default 12 s.
    const lic = await seats(3, { ttlMinutes: 600 });
    const before = lost('CheckoutLicense');
    const r = await losingAnswers('server-error-after=0.5,reset-after=0.2,seed=4', () =>
      runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId }, env: env() }),
    );
    assert.equal(r.code, 0, r.stdout);
    assert.ok(lost('CheckoutLicense') > before, 'a checkout that ran lost its answer');
    assert.equal(consumptionsOf(lic.licenseArn).size, 1, 'one consumption, however many requests arrived');
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
    await runAction('post', { state: r.state, job: r.job, env: env() });
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
  });

  test('CheckoutBorrowLicense: one borrowed seat, one token', async () => {
    const lic = await seats(3, { borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 600 }, signKeySpec: 'RSA_2048' });
    const before = lost('CheckoutBorrowLicense');
    const r = await losingAnswers('server-error-after=0.5,seed=1', () =>
      runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env() }),
    );
    assert.equal(r.code, 0, r.stdout);
    assert.ok(lost('CheckoutBorrowLicense') > before, 'a borrow that ran lost its answer');
    assert.equal(consumptionsOf(lic.licenseArn).size, 1);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
  });

  test('ExtendLicenseConsumption and CheckInLicense: the seat is held throughout, one check-in, no warning', async () => {
    const lic = await seats(1, { ttlMinutes: 10 }); // a 2-second TTL
    const r = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', beneficiary: emu.accountId }, env: env() });
    assert.equal(r.code, 0, r.stdout);
    const extendsBefore = lost('ExtendLicenseConsumption');
    const checkInsBefore = lost('CheckInLicense');
    const p = await losingAnswers('server-error-after=0.5,seed=9', async () => {
      await delay(6_000); // 3 TTLs of extensions
      return runAction('post', { state: r.state, job: r.job, env: env() });
    });
    assert.equal(p.code, 0, p.stdout);
    assert.ok(lost('ExtendLicenseConsumption') > extendsBefore, 'an extension that ran lost its answer');
    assert.equal(p.warnings.length, 0, p.stdout);
    const s = emu.stats();
    assert.equal(s.licenses[lic.licenseArn]?.entitlements.Seats?.peak, 1, 'never a second seat');
    assert.equal(s.events.filter((e) => e.type === 'expiry' && e.licenseArn === lic.licenseArn).length, 0, 'held throughout: it never expired');
    assert.equal(consumptionsOf(lic.licenseArn).size, 1);
    const checkIns = s.events.filter((e) => e.type === 'check-in' && e.licenseArn === lic.licenseArn).length;
    assert.equal(checkIns, 1);
    assert.ok(lost('CheckInLicense') >= checkInsBefore);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    const extensions = s.events.filter((e) => e.type === 'extend' && e.licenseArn === lic.licenseArn).length;
    const counted = Number(/Keepalive: (\d+) extension/.exec(p.stdout)?.[1]);
    assert.ok(counted >= 1 && counted <= extensions, `the keepalive counts the extensions it saw answered (${counted} of ${extensions} carried out)`);
  });

  test('a CheckInLicense whose answer was lost: the retry finds the seat already returned, and the step says so plainly', async () => {
    const lic = await seats(1);
    const r = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId }, env: env() });
    const p = await losingAnswers('server-error-after=1', () => runAction('post', { state: r.state, job: r.job, env: { ...env(), AWS_MAX_ATTEMPTS: '2' } }));
    assert.equal(p.code, 0);
    assert.equal(p.warnings.length, 0, p.stdout);
    assert.match(p.stdout, /Nothing to check in: the consumption already ended/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    assert.equal(emu.stats().events.filter((e) => e.type === 'check-in' && e.licenseArn === lic.licenseArn).length, 1);
  });
});

describe('a step run again in the same job and attempt', () => {
  test('the second run gets the first run\'s consumption back: no second seat', async () => {
    const lic = await seats(2);
    const job = newJob();
    const inputs = { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId };
    const first: ActionResult = await runAction('main', { inputs, job, env: env() });
    const again: ActionResult = await runAction('main', { inputs, job, env: env() });
    assert.equal(first.code, 0, first.stdout);
    assert.equal(again.code, 0, again.stdout);
    assert.equal(again.outputs['license-consumption-token'], first.outputs['license-consumption-token']);
    assert.equal(consumptionsOf(lic.licenseArn).size, 1);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
    await runAction('post', { state: again.state, job, env: env() });
    assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
  });
});
