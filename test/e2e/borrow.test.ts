import assert from 'node:assert/strict';
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createSignKey, createTestLicense, kmsClient, seatUsage } from '../support/emulator.js';
import { awsEnv, newJob, runAction } from '../support/run-action.js';

/** What the action's timestamp outputs promise, whatever form AWS answered in: ISO 8601 UTC to the second. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// The emulator of the describe running now and its signing key; each describe below starts its own.
let emu: Emulator;
let signKeyArn: string;
let publicKeyDer: string;
/** The connected runner's environment; its local zone is not UTC, so a zone-less time read as local time would be hours off. */
const env = () => ({ ...awsEnv(emu.url), TZ: 'America/New_York' });

const borrowLicense = (allowEarlyCheckIn = true) =>
  createTestLicense(emu, {
    entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }],
    borrow: { AllowEarlyCheckIn: allowEarlyCheckIn, MaxTimeToLiveInMinutes: 60 },
    signKey: signKeyArn,
  });

// AWS's examples write timestamps zone-less (`2021-04-14T05:35:47`); the emulator answers with
// `Z` by default and without a zone with zonelessTimestamps: every test runs in both. (The signed
// token's issuedAt/expiration are zone-less in both, as AWS publishes them.)
for (const zoneless of [false, true]) {
  describe(`borrow on a connected runner, verify on an air-gapped one (${zoneless ? 'zone-less' : 'Z'} timestamps)`, () => {
    before(async () => {
      emu = await startEmulator({ port: 0, zonelessTimestamps: zoneless });
      signKeyArn = await createSignKey(emu, 'RSA_2048');
      const out = await kmsClient(emu).send(new GetPublicKeyCommand({ KeyId: signKeyArn }));
      publicKeyDer = Buffer.from(out.PublicKey!).toString('base64');
    });
    after(() => emu.close());

    test('borrow, verify at once, hand over the token file, verify offline with no AWS at all', async () => {
      const lic = await borrowLicense();
      const started = Date.now();
      const b = await runAction('main', {
        inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'node-id': 'airgap-runner-1', 'public-key': publicKeyDer, 'checkout-metadata': 'Runner=airgap-1' },
        env: env(),
      });
      assert.equal(b.code, 0, b.stdout + b.stderr);
      assert.match(b.outputs.expiration!, ISO_UTC);
      assert.match(b.outputs['issued-at']!, ISO_UTC);
      const issuedAt = Date.parse(b.outputs['issued-at']!);
      assert.ok(issuedAt > started - 1_000 && issuedAt <= Date.now(), `issued-at ${b.outputs['issued-at']} is when the step ran, read as UTC`);
      assert.equal(Date.parse(b.outputs.expiration!) - issuedAt, 3_600_000, 'expires after the borrow TTL, 60 minutes');
      const token = b.outputs['signed-token']!;
      assert.equal(token.split('.').length, 3);
      assert.ok(b.masks.includes(token));
      const printed = b.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + b.summary;
      assert.ok(!printed.includes(token.slice(-40)), 'no part of the token printed');
      const file = b.outputs['token-file']!;
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(readFileSync(file, 'utf8'), token);
      assert.match(b.summary, /License borrowed/);
      assert.match(b.summary, /Signed token verified/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });

      // The air-gapped runner: another job, no AWS endpoint, no credentials, only the file and the key.
      const airgap = newJob();
      const copied = join(airgap.dir, 'token.jwt');
      writeFileSync(copied, readFileSync(file));
      const pem = createPublicKey({ key: Buffer.from(publicKeyDer, 'base64'), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
      const v = await runAction('verify', {
        job: airgap,
        inputs: { 'token-file': copied, 'public-key': pem, 'license-arn': lic.licenseArn, 'node-id': 'airgap-runner-1', entitlements: 'Seats = 1' },
      });
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.equal(v.outputs.valid, 'true');
      assert.equal(v.outputs['license-arn'], lic.licenseArn);
      assert.equal(v.outputs['node-id'], 'airgap-runner-1');
      assert.deepEqual(JSON.parse(v.outputs.entitlements!), [{ name: 'Seats', value: '1', unit: 'Count' }]);

      const wrongNode = await runAction('verify', { job: airgap, inputs: { 'token-file': copied, 'public-key': pem, 'node-id': 'someone-else' } });
      assert.equal(wrongNode.code, 1);
      assert.equal(wrongNode.outputs.valid, 'false');
      assert.match(wrongNode.outputs.reason!, /node/);

      // Borrowed tokens stay borrowed by default.
      const p = await runAction('post', { state: b.state, job: b.job, inputs: { mode: 'borrow' }, env: env() });
      assert.match(p.stdout, /Not checking in: check-in is off/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
    });

    test('check-in: true returns a borrowed seat early where the license allows it', async () => {
      const lic = await borrowLicense(true);
      const inputs = { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'check-in': 'true' };
      const b = await runAction('main', { inputs, env: env() });
      assert.equal(b.code, 0, b.stdout);
      const p = await runAction('post', { state: b.state, job: b.job, inputs, env: env() });
      assert.match(p.stdout, /Checked in/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('early check-in not allowed: the action says so and leaves the token borrowed', async () => {
      const lic = await borrowLicense(false);
      const inputs = { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'check-in': 'true' };
      const b = await runAction('main', { inputs, env: env() });
      assert.equal(b.code, 0, b.stdout);
      assert.match(b.warnings.join('\n'), /does not allow early check-in/);
      const p = await runAction('post', { state: b.state, job: b.job, inputs, env: env() });
      assert.match(p.stdout, /Not checking in/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 });
    });

    test('a borrow is all-or-nothing: one entitlement missing refuses the whole borrow', async () => {
      const lic = await borrowLicense();
      const b = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1' }, env: env() });
      assert.equal(b.code, 1);
      assert.match(b.errors.join('\n'), /EntitlementNotAllowedException.*'GPU Builds' is not in the license/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('a token that does not verify with the given key fails the borrow step', async () => {
      const lic = await borrowLicense();
      const other = await createSignKey(emu, 'RSA_2048');
      const otherKey = Buffer.from((await kmsClient(emu).send(new GetPublicKeyCommand({ KeyId: other }))).PublicKey!).toString('base64');
      const b = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'public-key': otherKey }, env: env() });
      assert.equal(b.code, 1);
      assert.match(b.errors.join('\n'), /did not verify: .*signature-invalid/);
    });

    test('a key file that cannot be read, or a token-file that is a link, is refused before anything is borrowed', async () => {
      const lic = await borrowLicense();
      const job = newJob();
      const missing = await runAction('main', {
        job,
        inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'public-key-file': join(job.dir, 'absent.pem') },
        env: env(),
      });
      assert.equal(missing.code, 1);
      assert.match(missing.errors[0]!, /^Input 'public-key-file': cannot read .*absent\.pem \(ENOENT\); nothing was borrowed$/);
      const link = join(job.dir, 'token.jwt');
      symlinkSync(join(job.dir, 'elsewhere'), link);
      const linked = await runAction('main', { job, inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'token-file': link }, env: env() });
      assert.equal(linked.code, 1);
      assert.match(linked.errors[0]!, /^Input 'token-file': .*token\.jwt is a symbolic link/);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 }, 'no seat borrowed for either');
    });
  });
}
