// The keepalive as a job sees it over a realistic gap between extensions: it sleeps as a small
// Node process (no SDK), becomes dist/extend shortly before an extension is due, and sleeps small
// again afterwards, keeping one pid throughout, so the post step stops it as before.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense } from '../support/emulator.js';
import { awsEnv, running, runAction } from '../support/run-action.js';

// One TTL minute lasts 600 ms: a 60-minute TTL is 36 s, so the next extension is always more than
// 15 s off (SLEEP_SMALL_BEYOND_MS) and the keepalive goes back to sleeping small after each one.
const MINUTE_MS = 600;
let emu: Emulator;
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
});
after(async () => {
  await emu.close();
});

const bundleOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => /dist\/(keepalive|extend)\/index\.js$/.test(a))?.match(/dist\/(\w+)\//)?.[1];
const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

describe('keepalive process chain (Linux, process.execve)', { skip: process.platform !== 'linux' }, () => {
  test('sleeps small, extends as dist/extend under the same pid, and sleeps small again', { timeout: 90_000 }, async () => {
    const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1, AllowCheckIn: true }], ttlMinutes: 60 });
    const env = awsEnv(emu.url);
    const m = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env });
    assert.equal(m.code, 0, m.stdout + m.stderr);
    const { pid, statusFile } = (JSON.parse(m.state.consumption!) as { keepalive: { pid: number; statusFile: string } }).keepalive;
    const status = () => JSON.parse(readFileSync(statusFile, 'utf8')) as { state: string; extensions: number; pid: number };

    await delay(1_000);
    assert.equal(bundleOf(pid), 'keepalive', 'asleep as the small bundle');
    const asleep = rssMiB(pid);
    const seen = new Set<string>();
    const until = Date.now() + 45_000;
    while (status().extensions < 1 && Date.now() < until) {
      seen.add(bundleOf(pid) ?? 'gone');
      await delay(100);
    }
    assert.equal(status().extensions, 1, 'one extension within the first TTL');
    assert.ok(seen.has('extend'), 'the extension ran as dist/extend');
    await delay(1_500);
    assert.equal(bundleOf(pid), 'keepalive', 'asleep as the small bundle again, same pid');
    assert.equal(status().pid, pid);
    assert.equal(status().state, 'running');
    assert.ok(rssMiB(pid) < asleep + 4, `the sleeper after an extension (${rssMiB(pid).toFixed(1)} MiB) is as small as before it (${asleep.toFixed(1)} MiB)`);
    assert.deepEqual(emu.stats().licenses[lic.licenseArn]?.entitlements.Seats?.consumed, 1);

    const p = await runAction('post', { state: m.state, job: m.job, env });
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /Keepalive: 1 extension/);
    assert.match(p.stdout, /Checked in/);
    assert.ok(!running(pid), 'stopped by the post step');
    assert.equal(emu.stats().licenses[lic.licenseArn]?.entitlements.Seats?.consumed, 0);
  });
});
