// Another local user of a self-hosted runner (a real second account, created for the test) against
// the bundled steps: a shared RUNNER_TEMP, a seal key planted before the job, a token-file path in
// a shared directory. Nothing the neighbour can read holds a secret, nothing it plants is acted
// on, and every refusal names the path and the fix. Creating a user needs root: otherwise the
// suite is skipped, and says so.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { sealOf } from '../../src/state-seal.js';
import { createSignKey, createTestLicense } from '../support/emulator.js';
import { describeLeaks, findLeaks, recordingProxy, type Secret } from '../support/leak-check.js';
import { awsEnv, newJob, running, runAction, type ActionResult, type JobDir } from '../support/run-action.js';

const ROOT = process.getuid?.() === 0;
const SKIP = ROOT ? false : 'skipped: these attacks need a second local user, and only root can create one (useradd); run the suite as root';

interface Neighbour {
  name: string;
  uid: number;
  gid: number;
}
let neighbour: Neighbour;
let emu: Emulator;
/** In front of the emulator: it learns every token AWS hands out, even to a step that then refuses to keep it. */
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let signKeyArn: string;

before(async () => {
  emu = await startEmulator({ port: 0 });
  proxy = await recordingProxy(emu.port);
  signKeyArn = await createSignKey(emu, 'RSA_2048');
  if (!ROOT) return;
  const name = `lgnb${randomBytes(3).toString('hex')}`;
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  assert.equal(made.status, 0, `useradd: ${made.stderr}`);
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  neighbour = { name, uid: id('-u'), gid: id('-g') };
});
after(async () => {
  await proxy?.close();
  await emu?.close();
  // The account and its group (every process the tests ran as it has ended: each is awaited).
  if (neighbour) {
    const removed = spawnSync('userdel', [neighbour.name], { encoding: 'utf8' });
    assert.equal(removed.status, 0, `userdel ${neighbour.name}: ${removed.stderr}`);
  }
});

/** Runs a shell script as the neighbour: its own uid and group, no supplementary groups. */
function asNeighbour(script: string, env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('sh', ['-c', script], { uid: neighbour.uid, gid: neighbour.gid, env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Everything under `dir` the neighbour can read, as it reads it. */
const lootOf = (dir: string) => asNeighbour('find "$D" -type f 2>/dev/null | while read -r f; do echo "== $f"; cat "$f" 2>/dev/null; echo; done', { D: dir }).stdout;

/** A job whose RUNNER_TEMP has `mode`: the neighbour can reach it (the job folder itself it can only pass through). */
function sharedJob(mode: number): JobDir {
  const job = newJob();
  chmodSync(job.dir, 0o711);
  chmodSync(job.runnerTemp, mode);
  return job;
}

/** A sticky directory every user may create entries in, as /tmp is. */
function sharedDirectory(job: JobDir): string {
  const dir = mkdtempSync(join(job.dir, 'shared-'));
  chmodSync(dir, 0o1777);
  return dir;
}

const env = (extra: Record<string, string> = {}) => ({ ...awsEnv(proxy.url), GITHUB_ACTION: 'license', GITHUB_JOB: `nb-${randomBytes(3).toString('hex')}`, ...extra });
const seats = (arn: string) => emu.stats().licenses[arn]?.entitlements.Seats?.consumed ?? 0;
const checkouts = (arn: string) => emu.stats().events.filter((e) => e.type === 'checkout' && e.licenseArn === arn).length;
const checkIns = (arn: string) => emu.stats().events.filter((e) => e.type === 'check-in' && e.licenseArn === arn).length;
const license = (ttlMinutes = 60) => createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 4, AllowCheckIn: true }], ttlMinutes });
const keepaliveOf = (r: ActionResult) => (JSON.parse(r.state.consumption ?? 'null') as { keepalive?: { pid: number; statusFile: string } } | null)?.keepalive;

/** Once the keepalive a main step started (if any) is past its start: the attacks below wait for its next write. */
async function runningKeepalive(r: ActionResult): Promise<void> {
  const k = keepaliveOf(r);
  for (let until = Date.now() + 10_000; k && Date.now() < until; await new Promise((res) => setTimeout(res, 50))) {
    try {
      if ((JSON.parse(readFileSync(k.statusFile, 'utf8')) as { state?: string }).state === 'running') return;
    } catch {
      // being replaced: look again
    }
  }
}

/** Every token AWS handed out so far (consumption and signed tokens). */
const secrets = (): Secret[] => proxy.secrets();

function assertNoLeak(loot: string, secrets: Secret[]): void {
  const leaks = findLeaks([{ where: 'what the neighbour read', text: loot, masks: [] }], secrets);
  assert.deepEqual(leaks, [], `the neighbour read secrets:\n${describeLeaks(leaks)}`);
}

const borrowLicense = () =>
  createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 10, AllowCheckIn: true }], borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 }, signKey: signKeyArn });
const borrow = async (job: JobDir, tokenFile: string) => {
  const lic = await borrowLicense();
  return runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'token-file': tokenFile }, env: env(), job });
};

describe('token-file: only ever a new file of ours (no second user needed)', () => {
  test('a link at the path (to a file anyone may read): refused; nothing written where it points', async () => {
    const job = newJob();
    const elsewhere = join(job.dir, 'world-readable');
    writeFileSync(elsewhere, '', { mode: 0o644 });
    symlinkSync(elsewhere, join(job.dir, 'token.jwt'));
    const b = await borrow(job, join(job.dir, 'token.jwt'));
    assert.equal(readFileSync(elsewhere, 'utf8'), '', 'the token was written through the link');
    assert.equal(statSync(elsewhere).mode & 0o777, 0o644, 'the link\'s target was changed');
    assert.equal(b.code, 1, b.stdout);
    assert.match(b.errors.join('\n'), /^Input 'token-file': .*token\.jwt is a symbolic link, not a file of this job's own.*name a new path, or remove it first\.$/m);
  });

  test('a directory at the path: refused, naming the input', async () => {
    const job = newJob();
    mkdirSync(join(job.dir, 'token.jwt'));
    const b = await borrow(job, join(job.dir, 'token.jwt'));
    assert.equal(b.code, 1, b.stdout);
    assert.match(b.errors.join('\n'), /^Input 'token-file': .*token\.jwt is not a regular file/m);
  });

  test('a file of ours that a reader holds open: the token goes into a new file renamed into place, not into the open one', async () => {
    const job = newJob();
    const path = join(job.dir, 'token.jwt');
    writeFileSync(path, 'old', { mode: 0o644 });
    const fd = openSync(path, 'r');
    try {
      const b = await borrow(job, path);
      assert.equal(b.code, 0, b.stdout + b.stderr);
      assert.equal(readFileSync(fd, 'utf8'), 'old', 'the token reached a file someone holds open');
      assert.equal(readFileSync(path, 'utf8'), b.outputs['signed-token']);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      closeSync(fd);
    }
  });
});

describe('a neighbour on a self-hosted runner', { skip: SKIP, concurrency: 1 }, () => {
  test('a RUNNER_TEMP others may write without a sticky bit: the main step refuses it before any seat is taken; renaming the keepalive\'s folder aside yields nothing', async () => {
    const lic = await license();
    const job = sharedJob(0o777);
    const m = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env(), job });
    await runningKeepalive(m);
    // The attack: rename each keepalive folder aside, plant one of the neighbour's own with a status
    // file and the temporary file the keepalive's next write opens (its name held the pid, which
    // the command line in /proc gives away), then wait for that write.
    asNeighbour(
      `cd "$RT" || exit 1
       for d in license-gate-*; do
         [ -d "$d" ] || continue
         mv "$d" "$d.aside" || continue
         mkdir -m 777 "$d"; printf '{}' > "$d/keepalive.json"; chmod 666 "$d/keepalive.json"
         for p in /proc/[0-9]*; do
           if tr '\\0' '\\n' < "$p/cmdline" 2>/dev/null | grep -qx "$RT/$d/keepalive.json"; then f="$d/keepalive.json.\${p#/proc/}.tmp"; : > "$f"; chmod 666 "$f"; fi
         done
       done`,
      { RT: job.runnerTemp },
    );
    const p = await runAction('post', { state: m.state, job, env: env() });
    assertNoLeak(lootOf(job.runnerTemp), secrets());
    assert.equal(m.code, 1, m.stdout);
    assert.match(m.errors.join('\n'), new RegExp(`RUNNER_TEMP ${job.runnerTemp.replace(/[/.]/g, '\\$&')} can be written by other users .*chmod`));
    assert.equal(checkouts(lic.licenseArn), 0, 'no seat taken');
    assert.equal(p.code, 0);
    assert.equal(seats(lic.licenseArn), 0);
  });

  test('a sticky shared RUNNER_TEMP (as /tmp is): the job runs, the neighbour reads nothing secret, and no secret stays after the post step', async () => {
    const lic = await license();
    const job = sharedJob(0o1777);
    const m = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: env(), job });
    assert.equal(m.code, 0, m.stdout + m.stderr);
    const k = keepaliveOf(m)!;
    assert.ok(k && running(k.pid), 'the keepalive runs');
    const held = [...secrets(), { what: 'keepalive status file', value: readFileSync(k.statusFile, 'utf8') }];
    assertNoLeak(lootOf(job.runnerTemp), held);
    // Nor can the neighbour rename the keepalive's folder aside in a sticky directory.
    const moved = asNeighbour('cd "$RT" && for d in license-gate-*; do mv "$d" "$d.aside" && echo moved; done', { RT: job.runnerTemp });
    assert.doesNotMatch(moved.stdout, /moved/);
    const p = await runAction('post', { state: m.state, job, env: env() });
    assert.match(p.stdout, /Checked in/, p.stdout);
    assert.ok(!running(k.pid), 'the keepalive stopped');
    assert.deepEqual(readdirSync(job.runnerTemp).filter((f) => f.startsWith('license-gate-')), [], 'the keepalive\'s folder (token, license token, log) was removed');
    assertNoLeak(lootOf(job.runnerTemp), held);
    assert.equal(seats(lic.licenseArn), 0);
  });

  test('a seal key planted before the job: the main step refuses it before any seat is taken, and state sealed with it is never acted on', async () => {
    const lic = await license();
    // Another job on this machine holds a seat: the neighbour's forged state names its token.
    const victim = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, env: env({ GITHUB_ACTION: 'victim' }) });
    assert.equal(victim.code, 0, victim.stdout);
    const job = sharedJob(0o1777);
    const keyPath = join(job.runnerTemp, `.license-gate-state-${createHash('sha256').update('license').digest('hex').slice(0, 16)}.key`);
    const planted = asNeighbour('printf AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA > "$K" && chmod 644 "$K"', { K: keyPath });
    assert.equal(planted.status, 0, planted.stderr);
    const known = Buffer.alloc(32, 'A');

    const m = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'false' }, env: env(), job });
    const forged = {
      v: 1, mode: 'checkout', licenseArn: lic.licenseArn, consumptionToken: victim.outputs['license-consumption-token'], checkoutType: 'PROVISIONAL',
      checkIn: true, region: 'us-east-1', nodeId: 'octo-org/widget/runs/4242/attempts/1/build',
    };
    const p = await runAction('post', { state: { consumption: JSON.stringify({ ...forged, seal: sealOf(known, JSON.stringify(forged)) }) }, job, env: env() });
    try {
      assert.equal(p.code, 0);
      assert.equal(checkIns(lic.licenseArn), 0, `the forged state checked in the other job's seat: ${p.stdout}`);
      assert.match(p.warnings.join('\n'), /Not checking anything in: .*license-gate-state/);
      assert.equal(m.code, 1, m.stdout);
      assert.ok(m.errors.join('\n').includes(keyPath), m.stdout);
      assert.match(m.errors.join('\n'), new RegExp(`belongs to uid ${neighbour.uid}.*remove it`));
      assert.equal(checkouts(lic.licenseArn), 1, 'only the other job took a seat');
    } finally {
      await runAction('post', { state: victim.state, job: victim.job, env: env({ GITHUB_ACTION: 'victim' }) });
      if (m.code === 0) await runAction('post', { state: m.state, job, env: env() });
    }
    assert.equal(seats(lic.licenseArn), 0);
  });

  describe('token-file in a shared directory (borrow)', () => {
    const signedTokens = () => proxy.secrets().filter((x) => x.what === 'SignedToken');

    test('a link to the neighbour\'s file: refused, naming the input; the token does not land in their file', async () => {
      const job = sharedJob(0o755);
      const shared = sharedDirectory(job);
      const made = asNeighbour(': > "$S/theirs" && chmod 666 "$S/theirs" && ln -s "$S/theirs" "$S/token.jwt"', { S: shared });
      assert.equal(made.status, 0, made.stderr);
      const b = await borrow(job, join(shared, 'token.jwt'));
      assert.ok(signedTokens().length > 0, 'a token was borrowed');
      assertNoLeak(lootOf(shared), secrets());
      assert.equal(b.code, 1, b.stdout);
      assert.match(b.errors.join('\n'), /^Input 'token-file': .*token\.jwt is a symbolic link/m);
      assert.ok(lstatSync(join(shared, 'token.jwt')).isSymbolicLink(), 'the neighbour\'s link is left as it was');
    });

    test('the neighbour\'s own file at that path: refused; it holds no token', async () => {
      const job = sharedJob(0o755);
      const shared = sharedDirectory(job);
      asNeighbour(': > "$S/token.jwt" && chmod 666 "$S/token.jwt"', { S: shared });
      const b = await borrow(job, join(shared, 'token.jwt'));
      assertNoLeak(lootOf(shared), secrets());
      assert.equal(b.code, 1, b.stdout);
      assert.match(b.errors.join('\n'), new RegExp(`^Input 'token-file': .*token\\.jwt belongs to uid ${neighbour.uid}`, 'm'));
    });

    test('a file of ours the neighbour opened while it could: the token goes into a new file, never into the one it holds open', async () => {
      const job = sharedJob(0o755);
      const shared = sharedDirectory(job);
      const path = join(shared, 'token.jwt');
      spawnSync('sh', ['-c', 'printf old > "$P" && chmod 644 "$P"', 'sh'], { env: { P: path, PATH: '/usr/bin:/bin' } });
      const before = statSync(path).ino;
      // The neighbour opens it and keeps it open, then reads it again after the step.
      const holder = spawn('sh', ['-c', 'exec 3< "$P"; echo ready; read _; cat <&3'], { uid: neighbour.uid, gid: neighbour.gid, env: { P: path, PATH: '/usr/bin:/bin' } });
      let held = '';
      holder.stdout.setEncoding('utf8').on('data', (d: string) => (held += d));
      while (!held.includes('ready')) await new Promise((r) => setTimeout(r, 20));
      const b = await borrow(job, path);
      holder.stdin.end('\n');
      await new Promise((r) => holder.on('close', r));
      assert.equal(b.code, 0, b.stdout + b.stderr);
      const token = b.outputs['signed-token']!;
      assertNoLeak(held, [{ what: 'signed token', value: token }]);
      assert.equal(readFileSync(path, 'utf8'), token, 'the token is at the path');
      assert.notEqual(statSync(path).ino, before, 'a new file, renamed into place');
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });
  });
});
