import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { checkoutSeat, createTestLicense, seatUsage } from '../support/emulator.js';
import { awsEnv, runAction, type ActionResult } from '../support/run-action.js';

/** What the action's timestamp outputs promise, whatever form AWS answered in: ISO 8601 UTC to the second. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** A runner whose local zone is not UTC: a zone-less time read as local time would be hours off. */
const OFF_UTC = { TZ: 'America/New_York' };

// The emulator of the describe running now; each describe below starts its own (they run one after another).
let emu: Emulator;
const main = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction('main', { inputs, env: { ...awsEnv(emu.url), ...OFF_UTC, ...env } });
const post = (from: ActionResult, inputs: Record<string, string> = {}) =>
  runAction('post', { inputs, state: from.state, job: from.job, env: { ...awsEnv(emu.url), ...OFF_UTC } });

/** Nothing the step printed or summarised may contain a secret, except the add-mask command itself. */
function assertNoLeak(r: ActionResult, secrets: string[]) {
  const printed = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr + r.summary;
  for (const s of secrets.filter(Boolean)) {
    assert.ok(!printed.includes(s), 'a secret was printed');
    assert.ok(r.masks.includes(s), 'a secret was not masked');
  }
}

// AWS's examples write timestamps zone-less to the second (`2021-04-14T05:35:47`); the emulator
// answers `...47.123Z` by default and `...47.123` with zonelessTimestamps: every test runs in both.
for (const zoneless of [false, true]) {
  describe(`checkout action (dist bundles, Node 24, emulator, ${zoneless ? 'zone-less' : 'Z'} timestamps)`, () => {
    before(async () => {
      emu = await startEmulator({ port: 0, minuteMs: 1_000, zonelessTimestamps: zoneless });
    });
    after(() => emu.close());

    test(`the emulator answers ${zoneless ? 'without a zone' : 'with Z'} (a direct SDK checkout shows it)`, async () => {
      const { Expiration, IssuedAt } = await checkoutSeat(emu, await createTestLicense(emu));
      for (const t of [Expiration!, IssuedAt!]) {
        assert.match(t, zoneless ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/ : /Z$/, zoneless ? 'no Z, no +hh:mm' : 'a Z');
      }
    });

    test('entitled: outputs, state, summary, masking, seat held then returned by post', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 3, AllowCheckIn: true }] });
      const started = Date.now();
      const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stderr, '', 'nothing on stderr (no Node warnings)');
      assert.equal(r.outputs.entitled, 'true');
      assert.deepEqual(JSON.parse(r.outputs.entitlements!), [{ name: 'Seats', value: '1', unit: 'Count' }]);
      assert.deepEqual(JSON.parse(r.outputs.missing!), []);
      assert.equal(r.outputs['license-arn'], lic.licenseArn);
      assert.match(r.outputs['node-id']!, /^octo-org\/widget\/runs\/4242\/attempts\/1\/build/);
      assert.match(r.outputs.expiration!, ISO_UTC);
      assert.match(r.outputs['issued-at']!, ISO_UTC);
      const issuedAt = Date.parse(r.outputs['issued-at']!);
      assert.ok(issuedAt > started - 1_000 && issuedAt <= Date.now(), `issued-at ${r.outputs['issued-at']} is when the step ran, read as UTC`);
      assert.equal(Date.parse(r.outputs.expiration!) - issuedAt, 60_000, 'expires one TTL (60 minutes of 1 s) after issue');
      assert.equal(r.outputs['waited-seconds'], '0');
      const token = r.outputs['license-consumption-token']!;
      assert.ok(token.length > 8);
      assertNoLeak(r, [token]);
      assert.match(r.summary, /License checked out/);
      assert.match(r.summary, /\| Seats \| 1 Count \| granted \|/);
      assert.ok(r.state.consumption, 'state saved for the post step');
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });

      const p = await post(r);
      assert.equal(p.code, 0, p.stdout + p.stderr);
      assert.equal(p.stderr, '', 'nothing on stderr (no Node warnings)');
      assert.match(p.stdout, /Checked in/);
      assertNoLeak(p, [token]);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('product-sku and key-fingerprint work without license-arn', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }] });
      const r = await main({ 'product-sku': lic.productSku, 'key-fingerprint': lic.keyFingerprint, entitlements: 'Seats = 1 Count', keepalive: 'false' });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.outputs.entitled, 'true');
      await post(r);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('optional entitlement missing: job goes on, missing lists it', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }] });
      const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1 (optional)', keepalive: 'false' });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.outputs.entitled, 'true');
      assert.deepEqual(JSON.parse(r.outputs.missing!), ['GPU Builds']);
      assert.match(r.summary, /GPU Builds .* missing \(optional\)/);
      await post(r);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('required entitlement missing: partial grant checked in at once, step fails naming it', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }] });
      const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1', keepalive: 'false' });
      assert.equal(r.code, 1);
      assert.equal(r.outputs.entitled, 'false');
      const line = r.errors.join('\n');
      assert.match(line, /missing required GPU Builds = 1 Count; granted Seats = 1 Count/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
      const p = await post(r);
      assert.equal(p.code, 0);
      assert.match(p.stdout, /Nothing left to do/);
    });

    test('not entitled: every seat taken, the refusal says why', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1, AllowCheckIn: true }] });
      const first = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' });
      assert.equal(first.code, 0);
      const second = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, { GITHUB_JOB: 'other' });
      assert.equal(second.code, 1);
      assert.match(second.errors.join('\n'), /Not entitled: .*NoEntitlementsAllowedException.*'Seats' has 1 of 1 in use/);
      const p2 = await post(second);
      assert.match(p2.stdout, /Nothing to check in/);
      await post(first);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('not entitled by SKU: points at the usual causes', async () => {
      const r = await main({ 'product-sku': 'NO-SUCH-SKU', 'key-fingerprint': 'aws:111122223333:Nobody:issuer-fingerprint', entitlements: 'Seats = 1', keepalive: 'false' });
      assert.equal(r.code, 1);
      assert.match(r.errors.join('\n'), /SKU NO-SUCH-SKU .*Usual causes/);
    });

    for (const [inputs, pattern] of [
      [{ mode: 'rent', entitlements: 'Seats = 1', 'license-arn': 'arn:aws:license-manager::111122223333:license:l-0123' }, /Input 'mode': 'rent' is not one of checkout, borrow/],
      [{ entitlements: 'Seats = one two three', 'license-arn': 'arn:aws:license-manager::111122223333:license:l-0123' }, /Input 'entitlements': line 1/],
      [{ entitlements: 'Seats = 1 Seatz', 'license-arn': 'arn:aws:license-manager::111122223333:license:l-0123' }, /unit 'Seatz' is not one of AWS's units/],
      [{ entitlements: 'Seats = -1', 'license-arn': 'arn:aws:license-manager::111122223333:license:l-0123' }, /value '-1' is not a non-negative decimal number/],
      [{ entitlements: 'Seats = 1', 'license-arn': 'not-an-arn' }, /Input 'license-arn': 'not-an-arn' is not a license ARN/],
      [{ entitlements: 'Seats = 1' }, /Input 'license-arn': give license-arn, or product-sku with key-fingerprint/],
      [{ entitlements: 'Seats = 1', 'license-arn': 'arn:aws:license-manager::111122223333:license:l-0123', 'product-sku': 'X' }, /not both/],
    ] as const) {
      test(`bad input fails before any AWS call: ${pattern.source.slice(0, 50)}`, async () => {
        const before = emu.stats().requests.total;
        const r = await main({ ...inputs });
        assert.equal(r.code, 1);
        assert.equal(r.errors.length, 1, r.stdout);
        assert.match(r.errors[0]!, pattern);
        assert.equal(emu.stats().requests.total, before, 'no request reached AWS');
        const p = await post(r, { ...inputs });
        assert.equal(p.code, 0);
        assert.match(p.stdout, /Nothing to check in/);
      });
    }

    test('throttled, then granted: the SDK retries with the same ClientToken, one seat taken', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 5, AllowCheckIn: true }] });
      emu.setFaults('throttle=0.6,seed=3');
      let r: ActionResult;
      try {
        r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' });
      } finally {
        emu.setFaults(undefined);
      }
      assert.equal(r.code, 0, r.stdout);
      const s = emu.stats();
      assert.ok((s.requests.byOperation.CheckoutLicense?.faulted ?? 0) + (s.requests.byOperation.GetLicense?.faulted ?? 0) > 0, 'faults were injected');
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
      await post(r);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('PERPETUAL: consumed for good, the post step leaves it', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Builds', Unit: 'Count', MaxCount: 10 }] });
      const r = await main({ 'license-arn': lic.licenseArn, entitlements: 'Builds = 2', 'checkout-type': 'PERPETUAL' });
      assert.equal(r.code, 0, r.stdout);
      const p = await post(r);
      assert.match(p.stdout, /Not checking in: a PERPETUAL checkout is consumed for good/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Builds: 2 });
    });

    test('no credentials: says how to get them', async () => {
      const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1, AllowCheckIn: true }] });
      const r = await runAction('main', {
        inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' },
        env: { AWS_ENDPOINT_URL: emu.url, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1' },
      });
      assert.equal(r.code, 1);
      assert.match(r.errors.join('\n'), /configure-aws-credentials|license-token/);
    });
  });
}
