// The post step given state it cannot trust: missing, truncated, another action's, or tampered
// with. It must check in nothing it did not check out, kill nothing that is not its keepalive, and
// say what it did. Two uses of the action in one job keep separate state, keepalives and seats.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense } from '../support/emulator.js';
import { awsEnv, newJob, runAction, type ActionResult, type JobDir } from '../support/run-action.js';

// One TTL minute lasts 200 ms: a 30-minute TTL is 6 s, so keepalives are really extending.
const MINUTE_MS = 200;
let emu: Emulator;
const spawned: ChildProcess[] = [];
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
});
after(async () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emu.close();
});

interface Saved {
  v: number;
  licenseArn?: string;
  consumptionToken: string;
  nodeId: string;
  keepalive?: { pid: number; statusFile: string };
  [k: string]: unknown;
}

const env = (extra: Record<string, string> = {}) => ({ ...awsEnv(emu.url), ...extra });
const seats = (arn: string) => emu.stats().licenses[arn]?.entitlements.Seats?.consumed;
/** Check-ins the emulator recorded for one license. */
const checkIns = (arn: string) => emu.stats().events.filter((e) => e.type === 'check-in' && e.licenseArn === arn).length;
const saved = (r: ActionResult) => JSON.parse(r.state.consumption!) as Saved;
const printed = (r: ActionResult) => r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');

/** True while `pid` runs (a zombie waiting to be reaped has stopped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function license(seatsMax = 2) {
  return createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: seatsMax, AllowCheckIn: true }], ttlMinutes: 30 });
}

/** A real checkout with its keepalive, in `job` (fresh if omitted). */
async function checkedOut(arn: string, opts: { job?: JobDir; step?: string; jobName?: string; keepalive?: boolean } = {}): Promise<ActionResult> {
  const r = await runAction('main', {
    inputs: { 'license-arn': arn, entitlements: 'Seats = 1', keepalive: String(opts.keepalive ?? true) },
    env: env({ GITHUB_ACTION: opts.step ?? 'license', GITHUB_JOB: opts.jobName ?? `state-${randomBytes(3).toString('hex')}` }),
    ...(opts.job ? { job: opts.job } : {}),
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r;
}

const post = (from: ActionResult, state: Record<string, string>) => runAction('post', { state, job: from.job, env: env() });

/** The real post step, to leave nothing behind; asserts it checked in. */
async function cleanUp(r: ActionResult): Promise<void> {
  const p = await post(r, r.state);
  assert.match(p.stdout, /Checked in|Nothing to check in: the consumption already ended/, p.stdout);
}

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['120'], { stdio: 'ignore' });
  spawned.push(c);
  return c;
}

describe('post step with state it cannot trust', { concurrency: 4 }, () => {
  const untrusted: Array<[string, (s: Saved, raw: string) => Record<string, string>, RegExp]> = [
    ['missing', () => ({}), /Nothing to check in: the main step did not check a license out/],
    ['empty', () => ({ consumption: '' }), /Nothing to check in/],
    ['truncated', (_s, raw) => ({ consumption: raw.slice(0, Math.floor(raw.length / 2)) }), /Not checking anything in: the saved state is not JSON \(truncated\?\)/],
    ['another action\'s JSON', () => ({ consumption: JSON.stringify({ version: 2, 'cache-key': 'node-modules-9f8e', paths: ['~/.npm'] }) }), /Not checking anything in: the saved state has an unknown format/],
    ['JSON null', () => ({ consumption: 'null' }), /Not checking anything in/],
    ['a JSON array', () => ({ consumption: '[1,2,3]' }), /Not checking anything in/],
    ['v1 without a token', (s) => ({ consumption: JSON.stringify({ ...s, consumptionToken: undefined }) }), /Not checking anything in: the saved state has no usable consumption token/],
    ['v1 with a token carrying a workflow command', (s) => ({ consumption: JSON.stringify({ ...s, consumptionToken: 'x\n::warning::injected' }) }), /Not checking anything in/],
    ['v1 missing fields', (s) => ({ consumption: JSON.stringify({ v: 1, consumptionToken: s.consumptionToken }) }), /Not checking anything in: the saved state is missing fields/],
  ];
  for (const [what, make, says] of untrusted) {
    test(`${what}: nothing checked in, the keepalive left alone, and it says so`, async () => {
      const lic = await license();
      const r = await checkedOut(lic.licenseArn);
      const s = saved(r);
      const before = checkIns(lic.licenseArn);
      const p = await post(r, make(s, r.state.consumption!));
      assert.equal(p.code, 0, p.stdout + p.stderr);
      assert.match(printed(p), says);
      assert.equal(checkIns(lic.licenseArn), before, 'no check-in');
      assert.equal(seats(lic.licenseArn), 1, 'the seat is still held');
      assert.ok(alive(s.keepalive!.pid), 'the keepalive still runs');
      assert.ok(!/\n\s+at /.test(p.stdout + p.stderr), 'no stack trace');
      assert.ok(!p.stdout.includes('::warning::injected'), 'no injected command');
      await cleanUp(r);
      assert.equal(seats(lic.licenseArn), 0);
    });
  }

  test('token changed to another job\'s token: that job keeps its seat', async () => {
    const lic = await license();
    const mine = await checkedOut(lic.licenseArn);
    const theirs = await checkedOut(lic.licenseArn);
    const s = saved(mine);
    const p = await post(mine, { consumption: JSON.stringify({ ...s, consumptionToken: saved(theirs).consumptionToken }) });
    assert.equal(p.code, 0, p.stdout);
    assert.equal(checkIns(lic.licenseArn), 1, `one check-in: ${p.stdout}`);
    assert.equal(seats(lic.licenseArn), 1, 'one seat left: theirs');
    assert.ok(alive(saved(theirs).keepalive!.pid), 'their keepalive still runs');
    // Their post step still finds its seat.
    const q = await post(theirs, theirs.state);
    assert.match(q.stdout, /Checked in/, q.stdout);
    assert.equal(seats(lic.licenseArn), 0);
  });

  test('token changed to another job\'s token, no keepalive to compare with: that job keeps its seat', { todo: 'bug/limitation: src/post-step.ts:83 checks in whatever token the state names; nothing ties it to this job' }, async () => {
    const lic = await license();
    const mine = await checkedOut(lic.licenseArn, { keepalive: false });
    const theirs = await checkedOut(lic.licenseArn, { keepalive: false });
    try {
      const p = await post(mine, { consumption: JSON.stringify({ ...saved(mine), consumptionToken: saved(theirs).consumptionToken }) });
      assert.equal(p.code, 0);
      assert.equal(seats(lic.licenseArn), 2, `their seat was checked in by my post step: ${printed(p)}`);
    } finally {
      await post(mine, mine.state);
      await post(theirs, theirs.state);
    }
  });

  test('pid pointing at an unrelated process: it is not killed, and the post step says so', { todo: "bug: src/keepalive/launch.ts:85 stopKeepalive skips a pid that is not the keepalive without a word, and src/post-step.ts:64 reports nothing; the real keepalive is left running until its next extension is refused" }, async () => {
    const lic = await license();
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    const stranger = sleeper();
    const p = await post(r, { consumption: JSON.stringify({ ...s, keepalive: { ...s.keepalive!, pid: stranger.pid } }) });
    assert.equal(p.code, 0, p.stdout);
    await delay(300);
    assert.equal(stranger.exitCode, null, 'the sleep is alive');
    assert.equal(stranger.signalCode, null, 'the sleep was not signalled');
    assert.equal(seats(lic.licenseArn), 0, 'its own seat was checked in');
    // Saying so: the step must tell that it left that pid alone.
    const says = /not (?:its|the|our) keepalive|left .*alone|did not stop|not stopping|not stopped/i.test(printed(p));
    if (!says) process.kill(s.keepalive!.pid, 'SIGTERM'); // the real keepalive is left running: stop it ourselves
    assert.ok(says, `the post step did not say it left pid ${stranger.pid} alone:\n${printed(p)}`);
  });

  test('pid pointing at the test runner itself: it survives', async () => {
    const lic = await license();
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    const p = await post(r, { consumption: JSON.stringify({ ...s, keepalive: { ...s.keepalive!, pid: process.pid } }) });
    assert.equal(p.code, 0, p.stdout);
    assert.equal(seats(lic.licenseArn), 0);
    if (alive(s.keepalive!.pid)) process.kill(s.keepalive!.pid, 'SIGTERM');
  });

  test('statusFile pointing at another job\'s keepalive: that job keeps its seat and its keepalive', { todo: 'bug: src/keepalive/launch.ts:96-100 readReport trusts any status file of the same license; src/post-step.ts:60-62 checks in the token it finds there (another job\'s seat)' }, async () => {
    const lic = await license();
    const mine = await checkedOut(lic.licenseArn);
    const theirs = await checkedOut(lic.licenseArn);
    const s = saved(mine);
    const t = saved(theirs);
    try {
      const p = await post(mine, { consumption: JSON.stringify({ ...s, keepalive: { ...s.keepalive!, statusFile: t.keepalive!.statusFile } }) });
      assert.equal(p.code, 0, p.stdout);
      assert.ok(alive(t.keepalive!.pid), 'their keepalive still runs');
      assert.equal(checkIns(lic.licenseArn), 1, 'exactly one check-in');
      // Their post step must still be able to check their seat in.
      const q = await post(theirs, theirs.state);
      assert.match(q.stdout, /Checked in/, `their seat was taken by my post step: ${printed(q)}`);
    } finally {
      for (const k of [s.keepalive!, t.keepalive!]) if (alive(k.pid)) process.kill(k.pid, 'SIGTERM');
      await post(mine, mine.state);
      await post(theirs, theirs.state);
    }
  });

  test('statusFile pointing at a file that is not a status file: warns, checks in its own seat, leaves the file alone', async () => {
    const lic = await license();
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    const decoy = join(r.job.runnerTemp, 'decoy.json');
    writeFileSync(decoy, JSON.stringify({ hello: 'world' }));
    const p = await post(r, { consumption: JSON.stringify({ ...s, keepalive: { ...s.keepalive!, statusFile: decoy } }) });
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.warnings.join('\n'), /Could not read the keepalive's status/);
    assert.equal(seats(lic.licenseArn), 0, 'its own seat checked in with the saved token');
    assert.ok(!p.stdout.includes('hello'), 'the decoy is not echoed');
    if (alive(s.keepalive!.pid)) process.kill(s.keepalive!.pid, 'SIGTERM');
  });

  test('licenseArn changed: checks in only its own consumption', async () => {
    const lic = await license();
    const other = await license();
    const held = await checkedOut(other.licenseArn);
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    const p = await post(r, { consumption: JSON.stringify({ ...s, licenseArn: other.licenseArn }) });
    assert.equal(p.code, 0, p.stdout);
    assert.equal(seats(other.licenseArn), 1, 'the other license is untouched');
    assert.equal(seats(lic.licenseArn), 0, 'its own seat is checked in');
    assert.ok(alive(saved(held).keepalive!.pid));
    await cleanUp(held);
  });
});

describe('two uses of the action in one job', () => {
  test('separate state, separate keepalives; each post step checks in its own seat', async () => {
    const lic = await license(2);
    const job = newJob();
    const jobName = `two-steps-${randomBytes(3).toString('hex')}`;
    const first = await checkedOut(lic.licenseArn, { job, step: 'license-a', jobName });
    const second = await checkedOut(lic.licenseArn, { job, step: 'license-b', jobName });
    const a = saved(first);
    const b = saved(second);
    assert.notEqual(a.consumptionToken, b.consumptionToken, 'two consumptions');
    assert.notEqual(a.keepalive!.pid, b.keepalive!.pid, 'two keepalives');
    assert.notEqual(a.keepalive!.statusFile, b.keepalive!.statusFile, 'two status files');
    assert.equal(seats(lic.licenseArn), 2);
    const tokens = new Set(emu.stats().events.filter((e) => e.type === 'checkout' && e.licenseArn === lic.licenseArn && !e.replay).flatMap((e) => (e.type === 'checkout' ? [e.clientToken] : [])));
    assert.equal(tokens.size, 2, 'two ClientTokens');

    await delay(7_000); // more than one TTL: both keepalives extend
    assert.equal(seats(lic.licenseArn), 2, 'both seats outlived their TTL');

    // Post steps run in reverse order, as the runner does.
    const pb = await post(second, second.state);
    assert.match(pb.stdout, /Checked in/, pb.stdout);
    assert.equal(seats(lic.licenseArn), 1, 'the second post step checked in one seat');
    assert.ok(!alive(b.keepalive!.pid), 'its keepalive stopped');
    assert.ok(alive(a.keepalive!.pid), 'the other keepalive still runs');
    const pa = await post(first, first.state);
    assert.match(pa.stdout, /Checked in/, pa.stdout);
    assert.equal(seats(lic.licenseArn), 0);
    assert.ok(!alive(a.keepalive!.pid));
  });
});
