import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense, seatUsage } from '../support/emulator.js';
import { awsEnv, running, runAction, startAction, type ActionResult } from '../support/run-action.js';

// One TTL minute lasts 200 ms: a 5-minute TTL is one real second.
const MINUTE_MS = 200;
/** What the action's timestamps look like, whatever form AWS answered in: ISO 8601 UTC to the second. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// The emulator of the describe running now: each describe starts its own (they run one after another).
let emu: Emulator;
/** Starts `emu` before the enclosing describe's tests and closes it after them. */
function useEmulator(zonelessTimestamps = false) {
  before(async () => {
    emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS, zonelessTimestamps });
  });
  after(() => emu.close());
}

// The runner's local zone is not UTC: a zone-less time read as local time would be hours off.
const env = (extra: Record<string, string> = {}) => ({ ...awsEnv(emu.url), TZ: 'America/New_York', ...extra });
const post = (from: ActionResult) => runAction('post', { state: from.state, job: from.job, env: env() });
const license = (maxCount: number, ttlMinutes = 5) =>
  createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: maxCount, AllowCheckIn: true }], ttlMinutes });
const keepalivePid = (r: ActionResult) => (JSON.parse(r.state.consumption!) as { keepalive: { pid: number; statusFile: string } }).keepalive;

async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await delay(50);
  }
  return check();
}

describe('long jobs and shared seats', () => {
  // The keepalive reads each extension's Expiration to time the next one: it runs in both of the
  // forms AWS writes timestamps in, `...Z` (the default) and zone-less as AWS's examples show.
  for (const zoneless of [false, true]) {
    describe(`keepalive (${zoneless ? 'zone-less' : 'Z'} timestamps)`, () => {
      useEmulator(zoneless);

      test('a job lasting several TTLs keeps its seat and ends checked in', async () => {
        const lic = await license(1, 10); // a 2-second TTL: long enough for the post step to start
        const r = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env() });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await delay(7_000); // 3.5 TTLs
        assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 1 }, 'the seat outlived its TTL');
        // Read before the post step, which removes the keepalive's folder with its log.
        const k = keepalivePid(r);
        const log = readFileSync(k.statusFile.replace(/keepalive\.json$/, 'keepalive.log'), 'utf8');
        const p = await post(r);
        assert.equal(p.code, 0, p.stdout);
        const extensions = Number(/Keepalive: (\d+) extension/.exec(p.stdout)?.[1]);
        assert.ok(extensions >= 4, `extensions: ${extensions}`); // one every 50-70% of the time left
        assert.match(p.summary, /Keepalive extensions: \d+/, p.stdout + p.summary);
        assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
        assert.ok(!running(k.pid), 'the keepalive is gone');
        assert.ok(!log.includes(r.outputs['license-consumption-token']!), 'no token in the keepalive log');
        // Each extension's Expiration, read as UTC: one TTL (2 s) after the line logged right after it.
        const extended = [...log.matchAll(/^(\S+) extension \d+: expires (\S+);/gm)];
        assert.ok(extended.length >= 4, log);
        for (const [, at, expires] of extended) {
          assert.match(expires!, ISO_UTC);
          const ahead = Date.parse(expires!) - Date.parse(at!);
          assert.ok(Math.abs(ahead) <= 2_000, `extension logged at ${at} expires ${expires}`);
        }
      });

      test('a keepalive killed mid-job: the post step still checks the seat in', async () => {
        const lic = await license(1, 30);
        const r = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env() });
        assert.equal(r.code, 0, r.stdout);
        assert.match(r.outputs.expiration!, ISO_UTC);
        process.kill(keepalivePid(r).pid, 'SIGKILL');
        await delay(300);
        const p = await post(r);
        assert.equal(p.code, 0);
        assert.match(p.stdout, /Checked in/);
        assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
      });
    });
  }

  // Waiting and parallel jobs: once, with the default timestamps (they are the slow part of the suite).
  describe('waiting, cancelling and sharing seats', () => {
    useEmulator();

    test('waiting: granted when another job checks in', async () => {
      const lic = await license(1, 60);
      const holder = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, env: env() });
      assert.equal(holder.code, 0);
      const waiter = startAction('main', {
        inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '30s' },
        env: env({ GITHUB_JOB: 'waiter' }),
      });
      await waiter.printed(/No seat yet/);
      await delay(2_000);
      await post(holder);
      const w = await waiter.done;
      assert.equal(w.code, 0, w.stdout);
      assert.match(w.stdout, /No seat yet \(NoEntitlementsAllowedException\); waited \d+\.\ds of 30\.0s, next try in/);
      assert.ok(Number(w.outputs['waited-seconds']) >= 2);
      await post(w);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('waiting: times out and says how long it waited', async () => {
      const lic = await license(1, 60);
      const holder = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, env: env() });
      const w = await runAction('main', {
        inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '3s' },
        env: env({ GITHUB_JOB: 'waiter' }),
      });
      assert.equal(w.code, 1);
      assert.match(w.errors.join('\n'), /No seat after waiting 3\.\ds \(wait-timeout 3\.0s/);
      await post(holder);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('SIGINT while waiting stops at once; the post step finds nothing to do', async () => {
      const lic = await license(1, 60);
      const holder = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, env: env() });
      const w = startAction('main', {
        inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '60s' },
        env: env({ GITHUB_JOB: 'waiter' }),
      });
      await w.printed(/No seat yet/); // waiting, not still starting up
      const sent = Date.now();
      w.child.kill('SIGINT');
      const r = await w.done;
      assert.ok(Date.now() - sent < 2_000, 'stopped promptly');
      assert.notEqual(r.code, 0);
      assert.match(r.errors.join('\n'), /Cancelled while waiting/);
      const p = await post(r);
      assert.match(p.stdout, /Nothing to check in/);
      await post(holder);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });

    test('SIGINT during the checkout call: the seat granted is checked in within 5 s', async () => {
      const lic = await license(1, 60);
      emu.setFaults('latency-ms=1500');
      try {
        const m = startAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env() });
        await delay(2_000); // GetLicense answered; CheckoutLicense in flight
        const sent = Date.now();
        m.child.kill('SIGINT');
        const r = await m.done;
        emu.setFaults(undefined);
        assert.ok(
          await eventually(async () => (await seatUsage(emu, lic.licenseArn)).Seats === 0, 5_000 - (Date.now() - sent)),
          'seat back within 5 s',
        );
        assert.notEqual(r.code, 0);
        const p = await post(r);
        assert.match(p.stdout, /Nothing (left )?to do|Nothing to check in/);
      } finally {
        emu.setFaults(undefined);
      }
    });

    test('12 parallel jobs over 3 seats all finish and never hold more than 3', async () => {
      const lic = await license(3, 60);
      const jobs = Array.from({ length: 12 }, async (_, i) => {
        const m = await runAction('main', {
          inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false', 'wait-timeout': '90s' },
          env: env({ GITHUB_JOB: `matrix-${i}` }),
          timeoutMs: 120_000,
        });
        assert.equal(m.code, 0, m.stdout);
        await delay(700); // the job's work, holding its seat
        const p = await post(m);
        assert.match(p.stdout, /Checked in/);
      });
      await Promise.all(jobs);
      const peak = emu.stats().licenses[lic.licenseArn]?.entitlements.Seats?.peak;
      assert.ok(peak !== undefined && peak <= 3, `peak ${peak}`);
      assert.equal(peak, 3);
      assert.deepEqual(await seatUsage(emu, lic.licenseArn), { Seats: 0 });
    });
  });
});
