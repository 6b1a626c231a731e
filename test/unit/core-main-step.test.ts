import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { LicenseService } from '../../src/aws/license-manager.js';
import { AwsFailure } from '../../src/failure.js';
import { clientTokenFor, jobIdentity } from '../../src/identity.js';
import { runMain, type MainDeps } from '../../src/main-step.js';
import { runPost } from '../../src/post-step.js';
import type { SavedConsumption } from '../../src/state.js';
import { FakeIO, FakeLicenseManager, jobEnv, throttled, VirtualClock, type FakeLicenseOptions } from './fakes.js';

const FP = 'aws:111122223333:Example ISV:issuer-fingerprint';
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

interface World {
  clock: VirtualClock;
  lm: FakeLicenseManager;
  arn: string;
  sku: string;
}

function world(license: Partial<FakeLicenseOptions> = {}): World {
  const clock = new VirtualClock();
  const lm = new FakeLicenseManager(clock.now);
  const l = lm.addLicense({
    entitlements: [
      { name: 'Seats', maxCount: 2 },
      { name: 'GPU', maxCount: 1 },
    ],
    keyFingerprint: FP,
    ...license,
  });
  return { clock, lm, arn: l.licenseArn, sku: l.productSku };
}

function job(w: World, inputs: Record<string, string>, extra: Partial<MainDeps> = {}, env: Record<string, string> = {}) {
  const io = new FakeIO(inputs, jobEnv(env));
  const deps: MainDeps = { io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep, ...extra };
  return { io, deps, run: () => runMain(deps) };
}

function savedState(io: FakeIO): SavedConsumption {
  const raw = io.saved.consumption;
  assert.ok(raw, 'a consumption was saved');
  return JSON.parse(raw) as SavedConsumption;
}

/** The post step of the same action, reading what the main step saved. */
async function post(w: World, main: FakeIO, inputs: Record<string, string> = {}): Promise<FakeIO> {
  const io = new FakeIO(inputs, main.env, { ...main.saved });
  await runPost({ io, licenseService: w.lm.service });
  return io;
}

/** Every secret was masked before it appeared anywhere, and never appears in the log or summary. */
function assertMasked(io: FakeIO, secrets: string[]): void {
  for (const s of secrets) {
    const mask = io.maskIndex(s);
    assert.ok(mask >= 0, 'the secret was masked');
    const exposed = io.firstExposure(s);
    assert.ok(exposed === -1 || mask < exposed, `masked at ${mask}, exposed at ${exposed}`);
    assert.ok(!io.printed.includes(s), 'a secret was printed in the log or summary');
    assert.ok(!io.printed.includes(s.slice(4, 20)), 'a fragment of a secret was printed');
  }
}

describe('runMain: entitled', () => {
  test('license-arn alone: outputs, state, summary, one seat held', async () => {
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    const token = w.lm.activeTokens()[0];
    assert.ok(token);
    assert.equal(w.lm.held('Seats'), 1);
    assert.equal(io.outputs.entitled, 'true');
    assert.deepEqual(JSON.parse(io.outputs.entitlements ?? ''), [{ name: 'Seats', value: '1', unit: 'Count' }]);
    assert.deepEqual(JSON.parse(io.outputs.missing ?? ''), []);
    assert.equal(io.outputs['license-consumption-token'], token);
    assert.equal(io.outputs['signed-token'], '');
    assert.equal(io.outputs['license-arn'], w.arn);
    assert.equal(io.outputs['node-id'], 'octo-org/widget/runs/4242/attempts/1/build');
    assert.match(io.outputs['issued-at'] ?? '', ISO_Z);
    assert.match(io.outputs.expiration ?? '', ISO_Z);
    assert.equal(io.outputs.expiration, '2025-03-01T13:00:00Z');
    assert.equal(io.outputs['waited-seconds'], '0');

    const s = savedState(io);
    assert.deepEqual(s, {
      v: 1,
      mode: 'checkout',
      licenseArn: w.arn,
      consumptionToken: token,
      checkoutType: 'PROVISIONAL',
      checkIn: true,
      region: 'us-east-1',
      nodeId: 'octo-org/widget/runs/4242/attempts/1/build',
      expiration: '2025-03-01T13:00:00Z',
    });
    assert.equal(io.saved.done, undefined);

    assert.match(io.summary, /### License checked out/);
    assert.ok(io.summary.includes(`- License: \`${w.arn}\``));
    assert.ok(io.summary.includes(`- SKU: \`${w.sku}\``));
    assert.ok(io.summary.includes('- Expires: 2025-03-01T13:00:00Z'));
    assert.ok(io.summary.includes('| Seats | 1 Count | granted |'));
    assert.ok(io.lines('info').some((l) => l.startsWith(`License ${w.arn}: Product 1 (SKU ${w.sku}), issuer Example ISV, status AVAILABLE`)));
    assert.ok(io.lines('info').some((l) => l === `Checking out Seats = 1 Count from license ${w.arn} (SKU ${w.sku}, fingerprint ${FP}) as node 'octo-org/widget/runs/4242/attempts/1/build'`));
    assert.ok(io.lines('info').some((l) => l === 'Entitled: granted Seats = 1 Count; expires 2025-03-01T13:00:00Z'));
    assertMasked(io, [token]);
    assert.equal(w.lm.destroyed, 1, 'the client is destroyed');
  });

  test('the CheckoutLicense request: SKU and fingerprint from GetLicense, job-derived node and 32-hex client token', async () => {
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1 count (optional)', keepalive: 'false', beneficiary: 'me' }, {}, { GITHUB_ACTION: 'lic' });
    await run();
    assert.equal(io.failed, undefined);
    assert.deepEqual(w.lm.ops(), ['getLicense', 'checkout']);
    const req = w.lm.calls[1]?.arg as Record<string, unknown>;
    assert.equal(req.productSku, w.sku);
    assert.equal(req.keyFingerprint, FP);
    assert.equal(req.checkoutType, 'PROVISIONAL');
    assert.equal(req.beneficiary, 'me');
    assert.equal(req.nodeId, 'octo-org/widget/runs/4242/attempts/1/build');
    const subject = `license ${w.arn} (SKU ${w.sku}, fingerprint ${FP})`;
    assert.equal(req.clientToken, clientTokenFor(jobIdentity(io.env), `checkout:${subject}`, 0));
    assert.match(String(req.clientToken), /^[0-9a-f]{32}$/);
    assert.deepEqual(w.lm.settings, [{ region: 'us-east-1', credentials: undefined }]);
  });

  test('product-sku + key-fingerprint: no GetLicense, SKU in the summary, no license-arn fact from the inputs', async () => {
    const w = world();
    const { io, run } = job(w, { 'product-sku': w.sku, 'key-fingerprint': FP, entitlements: 'Seats = 2', keepalive: 'false' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.deepEqual(w.lm.ops(), ['checkout']);
    assert.equal(w.lm.held('Seats'), 2);
    assert.equal(io.outputs['license-arn'], w.arn, 'from the CheckoutLicense answer');
    assert.ok(io.lines('info').some((l) => l.includes(`from SKU ${w.sku} (fingerprint ${FP})`)));
    assert.ok(io.summary.includes(`- SKU: \`${w.sku}\``));
  });

  test('optional entitlement not granted: listed in missing, the job goes on', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'GPU');
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1 (optional)', keepalive: 'false' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.equal(io.outputs.entitled, 'true');
    assert.deepEqual(JSON.parse(io.outputs.entitlements ?? ''), [{ name: 'Seats', value: '1', unit: 'Count' }]);
    assert.deepEqual(JSON.parse(io.outputs.missing ?? ''), ['GPU']);
    assert.equal(w.lm.held('Seats'), 1);
    assert.ok(io.summary.includes('| GPU | 1 Count | missing (optional) |'));
    assert.ok(io.lines('info').some((l) => l.startsWith('Entitled: granted Seats = 1 Count; optional not granted: GPU; expires ')));
    assert.equal(io.saved.done, undefined, 'the seat is kept for the job');
  });

  test('explicit node-id and matrix identity', async () => {
    const w = world();
    const a = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'node-id': 'my-node' });
    await a.run();
    assert.equal(a.io.outputs['node-id'], 'my-node');
    const b = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', matrix: '{"os":"linux"}' });
    await b.run();
    assert.equal(b.io.outputs['node-id'], 'octo-org/widget/runs/4242/attempts/1/build (os=linux)');
  });
});

describe('runMain: required entitlement missing', () => {
  test('the partial grant is checked in at once, the step fails listing missing and granted, the state is done', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'GPU');
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1\nTurbo = 1 (optional)', keepalive: 'false' });
    await run();
    assert.equal(io.failed, 'Not entitled: missing required GPU = 1 Count; granted Seats = 1 Count. The partial grant was checked in.');
    assert.equal(io.lines('failed').length, 1);
    assert.equal(w.lm.held('Seats'), 0, 'no seat left held by this job');
    assert.equal(io.outputs.entitled, 'false');
    assert.deepEqual(JSON.parse(io.outputs.entitlements ?? ''), [{ name: 'Seats', value: '1', unit: 'Count' }]);
    assert.deepEqual(JSON.parse(io.outputs.missing ?? ''), ['GPU', 'Turbo']);
    assert.equal(io.outputs['license-consumption-token'], undefined);
    assert.match(io.saved.done ?? '', /checked in by the main step: required entitlements were missing/);
    assert.ok(io.saved.consumption, 'the consumption was saved before the check-in');
    const p = await post(w, io);
    assert.deepEqual(p.lines('info'), ['Nothing left to do: checked in by the main step: required entitlements were missing.']);
    assert.equal(w.lm.ops().filter((op) => op === 'checkIn').length, 1, 'the post step does not check in again');
  });

  test('if the partial grant cannot be checked in, the post step still hands it back', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'GPU');
    w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'boom'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1', keepalive: 'false' });
    await run();
    assert.equal(io.outputs.entitled, 'false');
    assert.ok(io.lines('warning').some((l) => /Could not check the consumption back in \(boom\); it returns by itself at 2025-03-01T13:00:00Z\./.test(l)));
    assert.equal(io.saved.done, undefined, 'not marked done: the post step must retry');
    assert.equal(w.lm.held('Seats'), 1);
    const p = await post(w, io);
    assert.equal(w.lm.held('Seats'), 0);
    assert.ok(p.lines('info').some((l) => l.startsWith('Checked in ')));
  });

  test(
    'a failed partial check-in is not reported as checked in',
    async () => {
      const w = world();
      w.lm.occupy(w.arn, 'GPU');
      w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'boom'));
      const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1', keepalive: 'false' });
      await run();
      assert.match(io.failed ?? '', /^Not entitled: missing required GPU = 1 Count; granted Seats = 1 Count\./);
      assert.ok(!(io.failed ?? '').includes('was checked in'), io.failed);
    },
  );
});

describe('runMain: refused', () => {
  test('all seats in use: the failure names license, SKU, fingerprint, code and the MaxCount cause; nothing saved', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'Seats', 2);
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await run();
    assert.equal(
      io.failed,
      `Not entitled: CheckoutLicense granted none of Seats = 1 Count from license ${w.arn} (SKU ${w.sku}, fingerprint ${FP}) (NoEntitlementsAllowedException). Cause: entitlement 'Seats' has 2 of 2 in use; 1 more would exceed MaxCount.`,
    );
    assert.equal(io.outputs.entitled, 'false');
    assert.deepEqual(Object.keys(io.outputs), ['entitled']);
    assert.deepEqual(io.saved, {});
    assert.deepEqual(w.lm.ops(), ['getLicense', 'checkout', 'getUsage']);
    assert.equal(w.lm.destroyed, 1);
  });

  test('license diagnostics: expired, suspended, unknown name, wrong unit', async () => {
    const w = world({ status: 'SUSPENDED', validityEnd: '2025-01-01T00:00:00' });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1 Gigabytes\nSeat = 1', keepalive: 'false' });
    await run();
    assert.match(io.failed ?? '', /^Not entitled: CheckoutLicense granted none of Seats = 1 Gigabytes, Seat = 1 Count from license /);
    assert.ok(
      (io.failed ?? '').endsWith(
        "Cause: the license status is SUSPENDED, not AVAILABLE; the license expired at 2025-01-01T00:00:00.000Z; entitlement 'Seats' is counted in Count, not Gigabytes; entitlement 'Seat' is not in the license (it has: Seats, GPU).",
      ),
      io.failed,
    );
  });

  test('no cause visible in the license: points at Beneficiary and the grant', async () => {
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'no'));
    await run();
    assert.match(io.failed ?? '', /The license looks able to grant this; check that the grant to this account is active, and Beneficiary \(the account that created a license must name itself\)/);
  });

  test('usage unreadable: diagnoses from the license alone', async () => {
    const w = world({ provisionalTtlMinutes: null });
    w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'no'));
    w.lm.failNext('getUsage', new AwsFailure('denied', 'GetLicenseUsage', 'AccessDeniedException', 'no'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await run();
    assert.match(io.failed ?? '', /Cause: the license has no ProvisionalConfiguration, so it cannot be checked out PROVISIONAL\.$/);
  });

  test('by SKU: the usual causes, and a hint to give license-arn', async () => {
    const w = world();
    const { io, run } = job(w, { 'product-sku': 'OTHER-SKU', 'key-fingerprint': FP, entitlements: 'Seats = 1', keepalive: 'false' });
    await run();
    assert.match(io.failed ?? '', /^Not entitled: CheckoutLicense granted none of Seats = 1 Count from SKU OTHER-SKU \(fingerprint aws:111122223333:Example ISV:issuer-fingerprint\) \(NoEntitlementsAllowedException\)\. Usual causes: .*Give license-arn for a precise diagnosis\.$/);
    assert.deepEqual(w.lm.ops(), ['checkout']);
  });

  test('GetLicense denied: names the API call the role lacks; no checkout attempted', async () => {
    const w = world();
    w.lm.failNext('getLicense', new AwsFailure('denied', 'GetLicense', 'AccessDeniedException', 'User is not authorized'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' });
    await run();
    assert.equal(
      io.failed,
      `GetLicense was denied (AccessDeniedException): the job's AWS identity lacks license-manager:GetLicense for license ${w.arn}. Grant it in the role's policy. AWS said: User is not authorized`,
    );
    assert.deepEqual(w.lm.ops(), ['getLicense']);
    assert.equal(w.lm.destroyed, 1);
  });

  test('throttled past the SDK retries with no wait: unavailable, not a licensing decision', async () => {
    const w = world();
    w.lm.failNext('checkout', throttled());
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' });
    await run();
    assert.match(io.failed ?? '', /^CheckoutLicense failed after retries \(RateLimitExceededException\): .*not a licensing decision/);
  });

  test('no credentials: says how to get them', async () => {
    const w = world();
    w.lm.failNext('getLicense', new AwsFailure('no-credentials', 'GetLicense', 'CredentialsProviderError', 'Could not load credentials'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' });
    await run();
    assert.match(io.failed ?? '', /configure-aws-credentials.*license-token and role-arn/);
  });

  test('bad input: one line naming the input, before any AWS call', async () => {
    const w = world();
    for (const [inputs, line] of [
      [{ mode: 'lease', 'license-arn': w.arn, entitlements: 'Seats = 1' }, "Input 'mode': 'lease' is not one of checkout, borrow"],
      [{ 'license-arn': w.arn, entitlements: 'Seats = -1' }, "Input 'entitlements': line 1 ('Seats = -1'): value '-1' is not a non-negative decimal number"],
      [{ 'license-arn': 'l-123', entitlements: 'Seats = 1' }, "Input 'license-arn': 'l-123' is not a license ARN (arn:aws:license-manager::<account>:license:l-<id>)"],
    ] as const) {
      const { io, run } = job(w, inputs);
      await run();
      assert.equal(io.failed, line);
      assert.equal(io.outputs.entitled, 'false');
    }
    assert.deepEqual(w.lm.settings, [], 'no client was even created');
  });

  test('an unexpected error is reported as such, and the saved consumption lets the post step hand the seat back', async () => {
    const w = world({ borrow: { allowEarlyCheckIn: true, ttlMinutes: 60 } });
    const { io, run } = job(w, { mode: 'borrow', 'license-arn': w.arn, entitlements: 'Seats = 1', 'check-in': 'true' }, {
      writeTokenFile: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    await run();
    assert.equal(io.failed, 'Unexpected error: ENOSPC: no space left on device');
    assert.equal(io.outputs.entitled, 'false');
    assert.equal(w.lm.held('Seats'), 1);
    await post(w, io);
    assert.equal(w.lm.held('Seats'), 0);
  });
});

describe('runMain: waiting for a seat', () => {
  test('granted when another job checks in; progress lines; new ClientToken per refused attempt; waited-seconds', async () => {
    const w = world();
    const other = w.lm.occupy(w.arn, 'Seats', 2);
    w.clock.afterSleep.push((n) => {
      if (n === 3) w.lm.release(other);
    });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '10m' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.equal(w.lm.held('Seats'), 1);
    const waits = io.lines('info').filter((l) => l.startsWith('No seat yet'));
    assert.equal(waits.length, 3);
    assert.match(waits[0] ?? '', /^No seat yet \(NoEntitlementsAllowedException\); waited 0\.0s of 600\.0s, next try in \d+\.\ds$/);
    const tokens = w.lm.calls.filter((c) => c.op === 'checkout').map((c) => (c.arg as { clientToken: string }).clientToken);
    assert.equal(tokens.length, 4);
    assert.equal(new Set(tokens).size, 4, 'each attempt after a refusal has its own ClientToken');
    const waited = w.clock.sleeps.reduce((s, x) => s + x, 0);
    assert.equal(io.outputs['waited-seconds'], String(Math.round(waited / 1000)));
    assert.ok(waited >= 150);
    assert.ok(io.summary.includes(`- Waited for a seat: ${(waited / 1000).toFixed(1)}s`), io.summary);
  });

  test('throttled, then granted, within the wait', async () => {
    const w = world();
    w.lm.failNext('checkout', throttled(), 2);
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '60s' });
    await run();
    assert.equal(io.failed, undefined);
    assert.equal(io.outputs.entitled, 'true');
    assert.equal(io.lines('info').filter((l) => l.startsWith('No seat yet (RateLimitExceededException)')).length, 2);
  });

  test('timeout: fails with how long it waited; nothing held, nothing saved', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'Seats', 2);
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '90s' });
    await run();
    assert.match(io.failed ?? '', /^No seat after waiting 90\.0s \(wait-timeout 90\.0s, \d+ attempts\); last answer: NoEntitlementsAllowedException\.$/);
    assert.equal(io.outputs.entitled, 'false');
    assert.deepEqual(io.saved, {});
    assert.equal(w.lm.held('Seats'), 2);
  });

  test(
    'a refusal the license itself explains (expired) is not waited out, and the cause is reported',
    async () => {
      const w = world({ validityEnd: '2025-01-01T00:00:00' });
      w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'no'), 1000);
      const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '10m' });
      await run();
      assert.match(io.failed ?? '', /the license expired at 2025-01-01T00:00:00\.000Z/);
    },
  );

  test('cancelled while waiting: stops at once, no further attempt, nothing held', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'Seats', 2);
    const controller = new AbortController();
    w.clock.afterSleep.push((n) => {
      if (n === 2) controller.abort('SIGINT');
    });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '10m' }, { signal: controller.signal });
    await run();
    assert.match(io.failed ?? '', /^Cancelled while waiting for a seat, after \d+\.\ds\.$/);
    assert.equal(w.lm.calls.filter((c) => c.op === 'checkout').length, 2);
    assert.equal(w.lm.held('Seats'), 2);
    assert.deepEqual(io.saved, {});
  });

  test('a retried step (same job, same attempt) never takes a second seat', async () => {
    const w = world();
    const first = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await first.run();
    const again = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await again.run();
    assert.equal(w.lm.held('Seats'), 1);
    assert.equal(again.io.outputs['license-consumption-token'], first.io.outputs['license-consumption-token']);
    // Another matrix leg or another use of the action in the same job is another holder.
    await job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', matrix: '{"os":"linux"}' }).run();
    assert.equal(w.lm.held('Seats'), 2);
  });

  test('the client-token input is used until a definite refusal; a throttled attempt is repeated with its own token', async () => {
    const w = world();
    w.lm.failNext('checkout', throttled());
    w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'No Entitlements Allowed'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'client-token': 'my-token-1', 'wait-timeout': '30s', beneficiary: 'b' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    const tokens = w.lm.calls.filter((c) => c.op === 'checkout').map((c) => (c.arg as { clientToken: string }).clientToken);
    // A throttled request may have been carried out with its answer lost: its repeat must replay it.
    assert.deepEqual(tokens.slice(0, 2), ['my-token-1', 'my-token-1']);
    assert.match(tokens[2] ?? '', /^[0-9a-f]{32}$/);
  });
});

describe('runMain: cancelled right after the checkout', () => {
  /** A service whose checkout succeeds while the job is cancelled. */
  function cancelledDuringCheckout(w: World, controller: AbortController) {
    return (settings: Parameters<typeof w.lm.service>[0]): LicenseService => {
      const s = w.lm.service(settings);
      return {
        ...s,
        checkout: async (r) => {
          const c = await s.checkout(r);
          controller.abort('SIGTERM');
          return c;
        },
      };
    };
  }

  test('checks the seat in before exiting and marks the state done', async () => {
    const w = world();
    const controller = new AbortController();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' }, { signal: controller.signal, licenseService: cancelledDuringCheckout(w, controller) });
    await run();
    assert.equal(io.failed, 'Cancelled right after the checkout; the seat was checked in again.');
    assert.equal(w.lm.held('Seats'), 0);
    assert.match(io.saved.done ?? '', /cancelled/);
    const p = await post(w, io);
    assert.match(p.lines('info')[0] ?? '', /^Nothing left to do: checked in by the main step: the job was cancelled\.$/);
  });

  test(
    'a check-in that fails during cancellation leaves the post step to retry',
    async () => {
      const w = world();
      const controller = new AbortController();
      w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'boom'));
      const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' }, { signal: controller.signal, licenseService: cancelledDuringCheckout(w, controller) });
      await run();
      assert.equal(w.lm.held('Seats'), 1);
      assert.ok(!(io.failed ?? '').includes('was checked in'), io.failed);
      await post(w, io);
      assert.equal(w.lm.held('Seats'), 0, 'the post step hands the seat back');
    },
  );
});

describe('runMain: secrets', () => {
  test('the license token is masked before anything else happens', async () => {
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', 'license-token': ' lt-secret-refresh-token-value ', 'role-arn': 'not-a-role' });
    await run();
    assert.equal(io.events[0]?.kind, 'secret');
    assert.equal(io.events[0]?.text, 'lt-secret-refresh-token-value');
    assert.match(io.failed ?? '', /^Input 'role-arn'/);
    assertMasked(io, ['lt-secret-refresh-token-value']);
  });

  test('the consumption token is masked before any output holds it and never printed', async () => {
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1 (optional)', keepalive: 'false' });
    await run();
    const token = io.outputs['license-consumption-token'] ?? '';
    assert.match(token, /^[0-9a-f]{32}$/);
    assertMasked(io, [token]);
    const holders = io.events.filter((e) => e.kind === 'output' && e.text.includes(token)).map((e) => e.name);
    assert.deepEqual(holders, ['license-consumption-token'], 'only its own output holds it');
  });

  test('the partial-grant path never prints the token either', async () => {
    const w = world();
    w.lm.occupy(w.arn, 'GPU');
    w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'boom'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nGPU = 1', keepalive: 'false' });
    await run();
    const token = w.lm.activeTokens().find((t) => w.lm.consumptions.get(t)?.nodeId !== 'other-job') ?? '';
    assert.ok(token);
    assertMasked(io, [token]);
  });

  test('borrow: signed token masked, written to the token file, verified; metadata passed; no keepalive, no check-in', async () => {
    const w = world({ borrow: { allowEarlyCheckIn: true, ttlMinutes: 1440 } });
    const written: string[] = [];
    let keepalive = 0;
    const { io, run } = job(
      w,
      { mode: 'borrow', 'license-arn': w.arn, entitlements: 'Seats = 1', 'checkout-metadata': 'Mac = ABC', 'public-key': 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' /* key text; verifyBorrowed is a fake */ },
      {
        writeTokenFile: async (t) => {
          written.push(t);
          return '/runner/temp/license.jwt';
        },
        verifyBorrowed: async () => undefined,
        startKeepalive: async () => {
          keepalive++;
          return undefined;
        },
      },
    );
    await run();
    assert.equal(io.failed, undefined, io.printed);
    const signed = io.outputs['signed-token'] ?? '';
    assert.ok(signed.startsWith('eyJ'));
    assert.deepEqual(written, [signed]);
    assert.equal(io.outputs['token-file'], '/runner/temp/license.jwt');
    assert.equal(io.outputs.expiration, '2025-03-02T12:00:00Z');
    assert.equal(keepalive, 0);
    assertMasked(io, [signed, io.outputs['license-consumption-token'] ?? '']);
    assert.match(io.summary, /### License borrowed/);
    assert.match(io.summary, /- Signed token verified/);
    assert.match(io.summary, /- Type: BORROW/);
    const req = w.lm.calls.find((c) => c.op === 'borrow')?.arg as { checkoutMetadata: unknown; licenseArn: string };
    assert.deepEqual(req.checkoutMetadata, [{ Name: 'Mac', Value: 'ABC' }]);
    const s = savedState(io);
    assert.equal(s.checkoutType, 'BORROW');
    assert.equal(s.checkIn, false);
    const p = await post(w, io);
    assert.equal(w.lm.held('Seats'), 1, 'a borrow is kept');
    assert.match(p.lines('info')[0] ?? '', /^Not checking in: check-in is off; the consumption lasts until 2025-03-02T12:00:00Z\.$/);
  });

  test('borrow: a token that does not verify fails the step', async () => {
    const w = world({ borrow: { allowEarlyCheckIn: true, ttlMinutes: 60 } });
    const { io, run } = job(w, { mode: 'borrow', 'license-arn': w.arn, entitlements: 'Seats = 1', 'kms-key-id': 'alias/k' }, { verifyBorrowed: async () => 'signature mismatch' });
    await run();
    assert.equal(io.failed, 'The borrowed token did not verify: signature mismatch');
    assert.equal(io.outputs.entitled, 'false');
  });

  test('borrow refused when the license has no BorrowConfiguration: diagnosed', async () => {
    const w = world();
    const { io, run } = job(w, { mode: 'borrow', 'license-arn': w.arn, entitlements: 'Seats = 1' });
    await run();
    assert.match(io.failed ?? '', /^Not entitled: CheckoutBorrowLicense granted none of Seats = 1 Count .*Cause: the license has no BorrowConfiguration, so it cannot be borrowed\.$/);
  });
});

describe('runMain: keepalive, PERPETUAL, credentials', () => {
  test('keepalive is started for a PROVISIONAL checkout and its handle saved for the post step', async () => {
    const w = world();
    const started: SavedConsumption[] = [];
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' }, {
      startKeepalive: async (c) => {
        started.push(structuredClone(c));
        return { pid: 4321, statusFile: '/tmp/ka.json' };
      },
    });
    await run();
    assert.equal(io.failed, undefined);
    assert.equal(started.length, 1);
    assert.equal(started[0]?.consumptionToken, io.outputs['license-consumption-token']);
    assert.deepEqual(savedState(io).keepalive, { pid: 4321, statusFile: '/tmp/ka.json' });
  });

  test('keepalive false: not started', async () => {
    const w = world();
    let started = 0;
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, {
      startKeepalive: async () => {
        started++;
        return undefined;
      },
    });
    await run();
    assert.equal(io.failed, undefined);
    assert.equal(started, 0);
  });

  test('PERPETUAL: consumed for good, not kept alive, not checked in by the post step', async () => {
    const w = world();
    let started = 0;
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', 'checkout-type': 'PERPETUAL' }, {
      startKeepalive: async () => {
        started++;
        return undefined;
      },
    });
    await run();
    assert.equal(io.failed, undefined);
    assert.equal(started, 0);
    assert.equal((w.lm.calls[1]?.arg as { checkoutType: string }).checkoutType, 'PERPETUAL');
    assert.equal(savedState(io).checkIn, false);
    const p = await post(w, io);
    assert.ok(!w.lm.ops().includes('checkIn'));
    assert.match(p.lines('info')[0] ?? '', /^Not checking in: a PERPETUAL checkout is consumed for good; the consumption lasts until /);
    assert.match(p.summary, /### License kept/);
  });

  test('credentials from the license-token flow reach the client, with the region', async () => {
    const w = world();
    const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
    const { io, run } = job(
      w,
      { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'aws-region': 'eu-west-1', 'license-token': 'rt', 'role-arn': 'arn:aws:iam::111122223333:role/r' },
      { credentials: async (i) => (i.licenseToken ? creds : undefined) },
    );
    await run();
    assert.equal(io.failed, undefined);
    assert.deepEqual(w.lm.settings, [{ region: 'eu-west-1', credentials: creds }]);
    assert.equal(savedState(io).region, 'eu-west-1');
  });
});

describe('runMain: License Manager as it really answers', () => {
  const CREATOR = '111122223333';
  const caller = (account: string | undefined) => {
    const asked: unknown[] = [];
    return {
      asked,
      callerAccount: async (settings: unknown) => {
        asked.push(settings);
        return account ? { account } : { problem: 'sts:GetCallerIdentity failed (Throttling)' };
      },
    };
  };

  test('in the account that created the license: refused without Beneficiary, then checked out naming itself, and checked in so', async () => {
    const w = world({ beneficiaryRequired: CREATOR });
    const sts = caller(CREATOR);
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, { callerAccount: sts.callerAccount });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.deepEqual(w.lm.ops(), ['getLicense', 'checkout', 'checkout']);
    const [first, second] = w.lm.calls.filter((c) => c.op === 'checkout').map((c) => c.arg as { beneficiary?: string; clientToken: string });
    assert.equal(first?.beneficiary, undefined);
    assert.equal(second?.beneficiary, CREATOR);
    assert.notEqual(first?.clientToken, second?.clientToken, 'another request, another ClientToken');
    assert.equal(sts.asked.length, 1);
    assert.ok(io.lines('info').some((l) => l.includes(`account ${CREATOR}, which created the license`) && l.includes(`beneficiary: ${CREATOR}`)));
    assert.equal(savedState(io).beneficiary, CREATOR);
    await post(w, io);
    const checkIn = w.lm.calls.find((c) => c.op === 'checkIn')?.arg as { beneficiary?: string };
    assert.equal(checkIn.beneficiary, CREATOR);
    assert.equal(w.lm.heldSeats(), 0);
  });

  test('a beneficiary input is used as given: no STS call', async () => {
    const w = world({ beneficiaryRequired: CREATOR });
    const sts = caller(CREATOR);
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: CREATOR }, { callerAccount: sts.callerAccount });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.deepEqual(w.lm.ops(), ['getLicense', 'checkout']);
    assert.equal(sts.asked.length, 0);
  });

  test('another account: refused once, and the message says no beneficiary was needed', async () => {
    const w = world({ entitlements: [{ name: 'Seats', maxCount: 0 }] });
    const sts = caller('444455556666');
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, { callerAccount: sts.callerAccount });
    await run();
    assert.deepEqual(w.lm.ops().filter((o) => o === 'checkout'), ['checkout']);
    assert.match(io.failed ?? '', /Beneficiary: this job runs in account 444455556666, not in 111122223333 that created the license/);
  });

  test('STS cannot say: refused once, and the message says what is unknown and why', async () => {
    const w = world({ beneficiaryRequired: CREATOR });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, { callerAccount: caller(undefined).callerAccount });
    await run();
    assert.match(io.failed ?? '', /whether this job runs in account 111122223333, which created the license and must then name itself as beneficiary, is unknown: sts:GetCallerIdentity failed \(Throttling\)/);
  });

  test('product-sku + key-fingerprint: the creating account is the fingerprint\'s', async () => {
    const w = world({ beneficiaryRequired: CREATOR });
    const { io, run } = job(w, { 'product-sku': w.sku, 'key-fingerprint': FP, entitlements: 'Seats = 1', keepalive: 'false' }, { callerAccount: caller(CREATOR).callerAccount });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    assert.equal(savedState(io).beneficiary, CREATOR);
  });

  test('a same-SKU license consumed instead of license-arn\'s: checked back in, and the failure names both licenses', async () => {
    const w = world();
    const other = w.lm.addLicense({ productSku: w.sku, keyFingerprint: FP, entitlements: [{ name: 'Seats', maxCount: 5 }] });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' });
    await run();
    assert.equal(io.outputs.entitled, 'false');
    assert.match(io.failed ?? '', new RegExp(`CheckoutLicense consumed license ${other.licenseArn}, not ${w.arn} that license-arn names: both have SKU ${w.sku}`));
    assert.match(io.failed ?? '', /That consumption was checked in again\. Give the licenses different product SKUs/);
    assert.equal(w.lm.heldSeats(), 0);
    assert.ok(io.saved.done, 'nothing left for the post step');
  });

  test('a same-SKU mismatch with PERPETUAL says the consumption stands', async () => {
    const w = world();
    w.lm.addLicense({ productSku: w.sku, keyFingerprint: FP, entitlements: [{ name: 'Seats', maxCount: 5 }] });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', 'checkout-type': 'PERPETUAL' });
    await run();
    assert.match(io.failed ?? '', /A PERPETUAL checkout cannot be handed back: that consumption of the other license stands\./);
    assert.equal(w.lm.ops().includes('checkIn'), false);
  });

  test('features: asked by name, granted with the license\'s value, in the outputs and summary', async () => {
    const w = world({ entitlements: [{ name: 'Seats', maxCount: 2 }, { name: 'Premium', unit: 'None', value: 'Enabled' }, { name: 'Support', unit: 'None' }] });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nPremium\nSupport\nPlatinum (optional)', keepalive: 'false' });
    await run();
    assert.equal(io.failed, undefined, io.printed);
    const req = w.lm.calls.find((c) => c.op === 'checkout')?.arg as { entitlements: unknown[] };
    assert.deepEqual(req.entitlements.slice(1), [
      { name: 'Premium', unit: 'None', optional: false },
      { name: 'Support', unit: 'None', optional: false },
      { name: 'Platinum', unit: 'None', optional: true },
    ]);
    assert.deepEqual(JSON.parse(io.outputs.entitlements ?? ''), [
      { name: 'Seats', value: '1', unit: 'Count' },
      { name: 'Premium', value: 'Enabled', unit: 'None' },
      { name: 'Support', unit: 'None' },
    ]);
    assert.deepEqual(JSON.parse(io.outputs.missing ?? ''), ['Platinum']);
    assert.ok(io.summary.includes('| Premium | Enabled | granted |'), io.summary);
    assert.ok(io.summary.includes('| Support | feature | granted |'));
    assert.ok(io.summary.includes('| Platinum | feature | missing (optional) |'));
    assert.ok(io.lines('info').some((l) => l.startsWith('Checking out Seats = 1 Count, Premium (feature), Support (feature), Platinum (feature) from')));
  });

  test('a required feature not granted fails and names it', async () => {
    const w = world({ entitlements: [{ name: 'Seats', maxCount: 2 }] });
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1\nPremium', keepalive: 'false' });
    await run();
    assert.match(io.failed ?? '', /^Not entitled: missing required Premium \(feature\); granted Seats = 1 Count\./);
    assert.deepEqual(JSON.parse(io.outputs.missing ?? ''), ['Premium']);
  });
});

describe('runMain: in a customer account', () => {
  const CUSTOMER = { callerAccount: async () => ({ account: '444455556666' }) };
  const grant = (status: string) => ({ grantArn: 'arn:aws:license-manager::111122223333:grant:g-1', status, operations: ['CheckoutLicense'] });

  test('a grant waiting to be accepted: the failure says so with the commands; no beneficiary retry', async () => {
    const w = world({ status: 'AVAILABLE' });
    w.lm.grants.push({ ...grant('PENDING_ACCEPT'), licenseArn: w.arn });
    w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'No Entitlements Allowed'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, CUSTOMER);
    await run();
    assert.match(io.failed ?? '', /Cause: grant arn:aws:license-manager::111122223333:grant:g-1 waits to be accepted: run aws license-manager accept-grant --grant-arn arn:aws:license-manager::111122223333:grant:g-1, then aws license-manager create-grant-version/);
    assert.match(io.failed ?? '', /Beneficiary: this job runs in account 444455556666, not in 111122223333/);
    assert.deepEqual(w.lm.ops().filter((o) => o === 'checkout'), ['checkout']);
  });

  test('with a wait-timeout, a grant that is not active fails at once: waiting would not help', async () => {
    const w = world();
    w.lm.grants.push({ ...grant('DISABLED'), licenseArn: w.arn });
    w.lm.failNext('checkout', new AwsFailure('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException', 'No Entitlements Allowed'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '10m' }, CUSTOMER);
    await run();
    assert.match(io.failed ?? '', /^Not entitled, and waiting would not help: grant \S+ is accepted but not active: run aws license-manager create-grant-version/);
    assert.equal(w.clock.sleeps.length, 0, 'no waiting');
  });

  test('a consumption-only role: what the diagnosis could not read is said once, in one line, and the step goes on to its failure line', async () => {
    const w = world({ entitlements: [{ name: 'Seats', maxCount: 0 }] });
    const denied = (op: string) => new AwsFailure('denied', op, 'AccessDeniedException', `not authorized to perform: license-manager:${op}`);
    w.lm.failNext('receivedGrants', denied('ListReceivedGrants'));
    w.lm.failNext('getUsage', denied('GetLicenseUsage'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, CUSTOMER);
    await run();
    const said = io.lines('info').filter((l) => l.startsWith('Diagnosis: could not read'));
    assert.deepEqual(said, [
      "Diagnosis: could not read ListReceivedGrants (AccessDeniedException: the role may not call license-manager:ListReceivedGrants, as with AWS's consumption policy); going on without it.",
      "Diagnosis: could not read GetLicenseUsage (AccessDeniedException: the role may not call license-manager:GetLicenseUsage, as with AWS's consumption policy); going on without it.",
    ]);
    assert.equal(io.lines('warning').length, 0);
    assert.match(io.failed ?? '', /To see this account's grants: aws license-manager list-received-grants --filters Name=LicenseArn,Values=\S+\./);
  });

  test('GetLicense of a license not granted here: the failure points at the grants', async () => {
    const w = world();
    w.lm.failNext('getLicense', new AwsFailure('misconfigured', 'GetLicense', 'InvalidParameterValueException', 'License does not exist'));
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1' }, CUSTOMER);
    await run();
    assert.match(io.failed ?? '', /If it is an ISV's license, this account sees it only once granted: aws license-manager list-received-grants --filters Name=LicenseArn,Values=/);
  });
});

describe('runMain: never a seat the post step cannot find', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lg-main-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  /** A FakeIO whose saveState fails from call `from` on, as GITHUB_STATE on a full disk does. */
  class FullDiskIO extends FakeIO {
    saves = 0;
    constructor(inputs: Record<string, string>, env: Record<string, string>, readonly from = 1) {
      super(inputs, env);
    }
    override saveState(name: string, value: string): void {
      if (++this.saves >= this.from) throw new Error('ENOSPC: no space left on device, write');
      super.saveState(name, value);
    }
  }

  test('a seal key that cannot be read or made: the step fails before any seat is taken, naming the file', async () => {
    const runnerTemp = mkdtempSync(join(temp, 'rt-'));
    const keyPath = join(runnerTemp, `.license-gate-state-${createHash('sha256').update('license').digest('hex').slice(0, 16)}.key`);
    mkdirSync(keyPath); // not a file: unreadable as a key
    const w = world();
    const { io, run } = job(w, { 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, {}, { RUNNER_TEMP: runnerTemp });
    await run();
    assert.ok(io.failed?.includes(keyPath), io.failed);
    assert.equal(w.lm.held('Seats'), 0, 'no seat held without state for the post step');
    assert.deepEqual(w.lm.ops().filter((op) => op === 'checkout'), [], 'no checkout attempted');
  });

  test('the state cannot be saved (full disk): the seat is checked in again at once and the step says why', async () => {
    const w = world();
    const io = new FullDiskIO({ 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, jobEnv());
    await runMain({ io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    assert.equal(w.lm.held('Seats'), 0, 'the seat was left held with no state to find it');
    assert.match(io.failed ?? '', /^Could not save the state the post step needs \(ENOSPC: no space left on device, write\): the seat was checked in again\.$/);
    assert.equal(io.outputs.entitled, 'false');
  });

  test('the check-in after a failed save fails too: says when the seat returns by itself', async () => {
    const w = world();
    w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'down'));
    const io = new FullDiskIO({ 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, jobEnv());
    await runMain({ io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    assert.match(io.failed ?? '', /^Could not save the state the post step needs \(ENOSPC[^)]*\): checking the seat in again failed too \(down\); it returns by itself at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$/);
  });

  test('the state with the keepalive cannot be saved: the keepalive is stopped and the seat checked in', async () => {
    const w = world();
    const stopped: Array<SavedConsumption['keepalive']> = [];
    const io = new FullDiskIO({ 'license-arn': w.arn, entitlements: 'Seats = 1' }, jobEnv(), 2);
    await runMain({
      io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep,
      startKeepalive: async () => ({ pid: 4321, statusFile: '/tmp/license-gate-x/keepalive.json', startTime: '1' }),
      stopKeepalive: async (saved) => void stopped.push(saved.keepalive),
    });
    assert.deepEqual(stopped, [{ pid: 4321, statusFile: '/tmp/license-gate-x/keepalive.json', startTime: '1' }]);
    assert.equal(w.lm.held('Seats'), 0);
    assert.match(io.failed ?? '', /^Could not save the state the post step needs .*: the seat was checked in again\.$/);
  });

  test('PERPETUAL: nothing to hand back; the step fails saying the consumption stands', async () => {
    const w = world();
    const io = new FullDiskIO({ 'license-arn': w.arn, entitlements: 'Seats = 1', 'checkout-type': 'PERPETUAL' }, jobEnv());
    await runMain({ io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    assert.match(io.failed ?? '', /^Could not save the state the post step needs .*: a PERPETUAL consumption stands\.$/);
  });
});
