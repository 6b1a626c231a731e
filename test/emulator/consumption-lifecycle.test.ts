import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CheckInLicenseCommand,
  CreateLicenseCommand,
  ExtendLicenseConsumptionCommand,
  GetLicenseCommand,
  type CheckoutLicenseCommandInput,
} from '@aws-sdk/client-license-manager';
import { checkoutSeat, createTestLicense, expectAwsError, licenseManagerClient, seatUsage, withEmulator } from '../support/emulator.js';

// One TTL minute lasts 100 ms: a 5-minute TTL is half a second of real time.
const MINUTE_MS = 100;
const h = withEmulator({ minuteMs: MINUTE_MS });
const lm = () => licenseManagerClient(h.emu);
const checkout = (lic: { productSku: string; keyFingerprint: string }, over: Partial<CheckoutLicenseCommandInput> = {}) => checkoutSeat(h.emu, lic, over);

describe('TTL expiry (minuteMs scales real time)', () => {
  test('a PROVISIONAL seat returns by itself at IssuedAt + TTL; its token is then unknown', async () => {
    const lic = await createTestLicense(h.emu, { seats: 1, ttlMinutes: 5 });
    const co = await checkout(lic);
    assert.equal(Date.parse(co.Expiration as string) - Date.parse(co.IssuedAt as string), 5 * MINUTE_MS);
    await expectAwsError(checkout(lic), 'NoEntitlementsAllowedException');
    await delay(5 * MINUTE_MS + 30);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
    await expectAwsError(lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ResourceNotFoundException');
    await expectAwsError(lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken })), 'ResourceNotFoundException');
    await checkout(lic);
    const expiry = h.emu.stats().events.find((e) => e.type === 'expiry' && e.consumptionId !== undefined && e.licenseArn === lic.licenseArn);
    assert.equal(expiry?.time, Date.parse(co.Expiration as string), 'the expiry is stamped with the real expiration time');
    assert.ok(!JSON.stringify(h.emu.stats()).includes(co.LicenseConsumptionToken as string), 'stats never contain consumption tokens');
  });

  test('ExtendLicenseConsumption pushes the expiration to now + TTL and keeps the seat', async () => {
    const lic = await createTestLicense(h.emu, { seats: 1, ttlMinutes: 5 });
    const co = await checkout(lic);
    for (let i = 0; i < 4; i++) {
      await delay(3 * MINUTE_MS);
      const before = Date.now();
      const ext = await lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken }));
      const expiration = Date.parse(ext.Expiration as string);
      assert.ok(expiration >= before + 5 * MINUTE_MS && expiration <= Date.now() + 5 * MINUTE_MS);
    }
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 }, 'held well past the first expiration');
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: co.LicenseConsumptionToken }));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 0 });
  });

  test('PERPETUAL never returns', async () => {
    const lic = await createTestLicense(h.emu, { seats: 2, ttlMinutes: 1 });
    await checkout(lic, { CheckoutType: 'PERPETUAL' });
    await delay(3 * MINUTE_MS);
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
  });

  test('a license past its Validity End stops granting', async () => {
    const end = new Date(Date.now() + 1000).toISOString();
    const lic = await createTestLicense(h.emu, { validity: { Begin: '2020-01-01T00:00:00Z', End: end } });
    await checkout(lic);
    await delay(1050);
    await expectAwsError(checkout(lic), 'NoEntitlementsAllowedException');
  });

  test('events record checkouts, refusals, extensions, check-ins and expiries with opaque ids', async () => {
    const lic = await createTestLicense(h.emu, { seats: 1, ttlMinutes: 3 });
    const a = await checkout(lic, { NodeId: 'runner-a', ClientToken: 'evt-a' });
    await expectAwsError(checkout(lic, { NodeId: 'runner-b', ClientToken: 'evt-b' }), 'NoEntitlementsAllowedException');
    await lm().send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: a.LicenseConsumptionToken }));
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: a.LicenseConsumptionToken }));
    await checkout(lic, { NodeId: 'runner-c', ClientToken: 'evt-c' });
    await delay(3 * MINUTE_MS + 30);
    const events = h.emu.stats().events.filter((e) => e.licenseArn === lic.licenseArn || (e.type === 'checkout' && e.clientToken === 'evt-b'));
    assert.deepEqual(
      events.map((e) => [e.type, e.type === 'checkout' ? (e.error ?? e.granted?.map((g) => g.name).join()) : '']),
      [['checkout', 'Seats'], ['checkout', 'NoEntitlementsAllowedException'], ['extend', ''], ['check-in', ''], ['checkout', 'Seats'], ['expiry', '']],
    );
    const times = events.map((e) => e.time);
    assert.deepEqual(times, [...times].sort((x, y) => x - y), 'chronological');
    assert.equal(events[0]?.type === 'checkout' && events[0].nodeId, 'runner-a');
  });
});

describe('ClientToken idempotency', () => {
  test('same token, same request: same answer, nothing consumed twice', async () => {
    const lic = await createTestLicense(h.emu, { seats: 5 });
    const first = await checkout(lic, { ClientToken: 'same-token' });
    const again = await checkout(lic, { ClientToken: 'same-token' });
    assert.deepEqual({ ...again, $metadata: undefined }, { ...first, $metadata: undefined });
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 1 });
    const forToken = h.emu.stats().events.filter((e) => e.type === 'checkout' && e.clientToken === 'same-token');
    assert.equal(new Set(forToken.map((e) => e.consumptionId)).size, 1, 'one consumption for the token');
    assert.deepEqual(forToken.map((e) => e.type === 'checkout' && e.replay === true), [false, true]);
  });

  test('same token, different request: ValidationException', async () => {
    const lic = await createTestLicense(h.emu, { seats: 5 });
    await checkout(lic, { ClientToken: 'reused-token' });
    await expectAwsError(checkout(lic, { ClientToken: 'reused-token', Entitlements: [{ Name: 'Seats', Value: '2', Unit: 'Count' }] }), 'ValidationException', {
      message: /already used/,
    });
  });

  test('failures are not remembered: a refused token checks out once a seat is free', async () => {
    const lic = await createTestLicense(h.emu, { seats: 1 });
    const holder = await checkout(lic);
    await expectAwsError(checkout(lic, { ClientToken: 'waiting-token' }), 'NoEntitlementsAllowedException');
    await lm().send(new CheckInLicenseCommand({ LicenseConsumptionToken: holder.LicenseConsumptionToken }));
    const granted = await checkout(lic, { ClientToken: 'waiting-token' });
    assert.equal(granted.EntitlementsAllowed?.length, 1);
  });

  test('CreateLicense is idempotent too', async () => {
    const input = {
      LicenseName: 'idem', ProductName: 'idem', ProductSKU: 'IDEM', Issuer: { Name: 'Example ISV' }, HomeRegion: 'us-east-1',
      Validity: { Begin: '2020-01-01T00:00:00' }, Entitlements: [{ Name: 'Seats', Unit: 'Count' as const, MaxCount: 1 }],
      Beneficiary: '111122223333', ConsumptionConfiguration: {}, ClientToken: 'create-once',
    };
    const a = await lm().send(new CreateLicenseCommand(input));
    const b = await lm().send(new CreateLicenseCommand(input));
    assert.equal(a.LicenseArn, b.LicenseArn);
    await lm().send(new GetLicenseCommand({ LicenseArn: a.LicenseArn }));
  });
});

describe('seat accounting under load', () => {
  test('200 concurrent checkouts against 10 seats grant exactly 10', async () => {
    const lic = await createTestLicense(h.emu, { seats: 10, ttlMinutes: 10_000 });
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => checkoutSeat(h.emu, lic, { ClientToken: `race-${i}` }, { maxAttempts: 1 })));
    const granted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(granted.length, 10);
    assert.ok(refused.every((r) => (r.reason as Error).name === 'NoEntitlementsAllowedException'));
    assert.deepEqual(await seatUsage(h.emu, lic.licenseArn), { Seats: 10 });
    const stats = h.emu.stats().licenses[lic.licenseArn]?.entitlements.Seats;
    assert.equal(stats?.peak, 10);
    assert.equal(stats?.maxCount, 10);
  });
});

describe('zonelessTimestamps', () => {
  test('answers carry AWS-example timestamps without a zone (UTC, with ms)', async () => {
    await withEmulator({ zonelessTimestamps: true }, async (emu) => {
      const lic = await createTestLicense(emu);
      const before = Date.now();
      const co = await checkoutSeat(emu, lic);
      assert.match(co.IssuedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
      const issuedAt = Date.parse(`${co.IssuedAt as string}Z`);
      assert.ok(issuedAt >= before - 5 && issuedAt <= Date.now() + 5);
    });
  });
});
