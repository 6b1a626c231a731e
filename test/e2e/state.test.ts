// The post step given state it cannot trust: missing, truncated, another action's, or tampered
// with. It must check in nothing it did not check out, kill nothing that is not its keepalive, and
// say what it did. Two uses of the action in one job keep separate state, keepalives and seats.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { sealOf } from '../../src/state-seal.js';
import { createTestLicense } from '../support/emulator.js';
import { awsEnv, newJob, running, runAction, type ActionResult, type JobDir } from '../support/run-action.js';

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

const alive = running;

async function license(seatsMax = 2, ttlMinutes = 30) {
  return createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: seatsMax, AllowCheckIn: true }], ttlMinutes });
}

/** A real checkout with its keepalive, in `job` (fresh if omitted). */
/** The step id (GITHUB_ACTION) each main step ran as: its post step runs as the same step. */
const stepOf = new WeakMap<ActionResult, string>();

async function checkedOut(arn: string, opts: { job?: JobDir; step?: string; jobName?: string; keepalive?: boolean } = {}): Promise<ActionResult> {
  const step = opts.step ?? `license-${randomBytes(3).toString('hex')}`;
  const r = await runAction('main', {
    inputs: { 'license-arn': arn, entitlements: 'Seats = 1', keepalive: String(opts.keepalive ?? true) },
    env: env({ GITHUB_ACTION: step, GITHUB_JOB: opts.jobName ?? `state-${randomBytes(3).toString('hex')}` }),
    ...(opts.job ? { job: opts.job } : {}),
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  stepOf.set(r, step);
  return r;
}

const post = (from: ActionResult, state: Record<string, string>) =>
  runAction('post', { state, job: from.job, env: env({ GITHUB_ACTION: stepOf.get(from) ?? '' }) });

/** State edited after the main step sealed it: the post step acts on none of it, and says so. */
const TAMPERED = /Not checking anything in: the saved state was not written by this step's main step \(its seal does not match: tampered or foreign\)/;

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
    ['v1 without a token', (s) => ({ consumption: JSON.stringify({ ...s, consumptionToken: undefined }) }), TAMPERED],
    ['v1 with a token carrying a workflow command', (s) => ({ consumption: JSON.stringify({ ...s, consumptionToken: 'x\n::warning::injected' }) }), TAMPERED],
    ['v1 missing fields', (s) => ({ consumption: JSON.stringify({ v: 1, consumptionToken: s.consumptionToken }) }), TAMPERED],
    ['token changed to another job\'s token', (s) => ({ consumption: JSON.stringify({ ...s, consumptionToken: randomBytes(16).toString('hex') }) }), TAMPERED],
    ['licenseArn changed', (s) => ({ consumption: JSON.stringify({ ...s, licenseArn: 'arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000' }) }), TAMPERED],
    ['seal removed', (s) => ({ consumption: JSON.stringify({ ...s, seal: undefined }) }), TAMPERED],
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

  /** My post step given my state edited to point at `theirs`: acts on nothing, and both seats stay. */
  async function tamperedTowards(edit: (mine: Saved, theirs: Saved) => Saved) {
    const lic = await license();
    const mine = await checkedOut(lic.licenseArn);
    const theirs = await checkedOut(lic.licenseArn);
    try {
      const p = await post(mine, { consumption: JSON.stringify(edit(saved(mine), saved(theirs))) });
      assert.equal(p.code, 0, p.stdout);
      assert.match(printed(p), TAMPERED);
      assert.equal(checkIns(lic.licenseArn), 0, `no check-in: ${printed(p)}`);
      assert.equal(seats(lic.licenseArn), 2, 'their seat (and mine) still held');
      assert.ok(alive(saved(theirs).keepalive!.pid), 'their keepalive still runs');
      assert.ok(alive(saved(mine).keepalive!.pid), 'a keepalive is stopped only by state it can trust');
    } finally {
      // The real post steps still find their seats.
      await cleanUp(theirs);
      await cleanUp(mine);
    }
    assert.equal(seats(lic.licenseArn), 0);
  }

  test("token changed to another job's token: that job keeps its seat", () =>
    tamperedTowards((m, t) => ({ ...m, consumptionToken: t.consumptionToken })));

  test("token changed to another job's token, no keepalive to compare with: that job keeps its seat", async () => {
    const lic = await license(2, 600); // two minutes: no keepalive extends these seats, however slow the machine
    const mine = await checkedOut(lic.licenseArn, { keepalive: false });
    const theirs = await checkedOut(lic.licenseArn, { keepalive: false });
    try {
      const p = await post(mine, { consumption: JSON.stringify({ ...saved(mine), consumptionToken: saved(theirs).consumptionToken }) });
      assert.equal(p.code, 0);
      assert.match(printed(p), TAMPERED);
      assert.equal(seats(lic.licenseArn), 2, `their seat was checked in by my post step: ${printed(p)}`);
    } finally {
      await cleanUp(mine);
      await cleanUp(theirs);
    }
  });

  test("statusFile pointing at another job's keepalive: that job keeps its seat and its keepalive", () =>
    tamperedTowards((m, t) => ({ ...m, keepalive: { ...m.keepalive!, statusFile: t.keepalive!.statusFile } })));

  test("pid pointing at another job's keepalive: it is not stopped", () =>
    tamperedTowards((m, t) => ({ ...m, keepalive: { ...m.keepalive!, pid: t.keepalive!.pid } })));

  for (const [what, pidOf] of [
    ['an unrelated process', () => sleeper().pid!],
    ['the test runner itself', () => process.pid],
  ] as const) {
    test(`pid pointing at ${what}: it is not killed, and the post step says so`, async () => {
      const lic = await license();
      const r = await checkedOut(lic.licenseArn);
      const s = saved(r);
      const pid = pidOf();
      const p = await post(r, { consumption: JSON.stringify({ ...s, keepalive: { ...s.keepalive!, pid } }) });
      assert.equal(p.code, 0, p.stdout);
      await delay(300);
      assert.ok(alive(pid), 'the process survived');
      assert.match(printed(p), TAMPERED);
      assert.equal(seats(lic.licenseArn), 1, 'nothing checked in on state it cannot trust');
      await cleanUp(r);
      assert.equal(seats(lic.licenseArn), 0);
    });
  }

  /** `edited` sealed as the main step of `r` would seal it (with its key, read here as the job's user): a state the seal cannot tell from the real one. */
  function resealed(r: ActionResult, edited: Saved): Record<string, string> {
    const step = stepOf.get(r) ?? '';
    const key = readFileSync(join(r.job.runnerTemp, `.license-gate-state-${createHash('sha256').update(step).digest('hex').slice(0, 16)}.key`));
    const { seal: _old, ...body } = edited;
    return { consumption: JSON.stringify({ ...body, seal: sealOf(key, JSON.stringify(body)) }) };
  }

  test('a sealed pid of another process that names the status file on its command line: it is not signalled', async () => {
    const lic = await license();
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    const decoy = spawn('sh', ['-c', 'sleep 120', 'sh', s.keepalive!.statusFile], { stdio: 'ignore' });
    spawned.push(decoy);
    try {
      const p = await post(r, resealed(r, { ...s, keepalive: { ...s.keepalive!, pid: decoy.pid! } }));
      assert.equal(p.code, 0, p.stdout);
      await delay(300);
      assert.ok(alive(decoy.pid!), 'a process that merely names the status file was killed: only the keepalive bundle, with its start time, is ours');
      assert.match(p.stdout, /Checked in/, p.stdout);
    } finally {
      if (alive(s.keepalive!.pid)) process.kill(s.keepalive!.pid, 'SIGKILL');
    }
  });

  test('a status file that is not a status file (untampered state): warns, checks in its own seat, leaves the file alone', async () => {
    const lic = await license();
    const r = await checkedOut(lic.licenseArn);
    const s = saved(r);
    process.kill(s.keepalive!.pid, 'SIGKILL'); // so it cannot rewrite its file before the post step reads it
    writeFileSync(s.keepalive!.statusFile, JSON.stringify({ hello: 'world' }));
    const p = await post(r, r.state);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.warnings.join('\n'), /Could not read the keepalive's status/);
    assert.equal(seats(lic.licenseArn), 0, 'its own seat checked in with the saved token');
    assert.ok(!p.stdout.includes('hello'), 'the decoy is not echoed');
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
    assert.ok(!existsSync(dirname(b.keepalive!.statusFile)), 'its folder (token, log) removed');
    assert.ok(existsSync(a.keepalive!.statusFile), 'the other keepalive\'s folder left alone');
    const pa = await post(first, first.state);
    assert.match(pa.stdout, /Checked in/, pa.stdout);
    assert.equal(seats(lic.licenseArn), 0);
    assert.ok(!alive(a.keepalive!.pid));
    assert.ok(!existsSync(dirname(a.keepalive!.statusFile)));
  });
});
