import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { classifyError } from '../../src/aws/classify-error.js';
import { needsRenewal } from '../../src/aws/license-token.js';
import { AwsFailure } from '../../src/failure.js';
import { runKeepalive } from '../../src/keepalive/daemon.js';
import * as launch from '../../src/keepalive/launch.js';
import { nextExtensionDelay, retryDelay } from '../../src/keepalive/schedule.js';
import { readStatus, writeStatus, type KeepaliveStatus } from '../../src/keepalive/status-file.js';
import { VirtualClock } from './fakes.js';

const MIN = 60_000;

describe('keepalive schedule', () => {
  test('extends between 50% and 70% of the time left, whatever the jitter', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const d = nextExtensionDelay(0, 60 * MIN, () => r);
      assert.ok(d >= 30 * MIN && d <= 42 * MIN, `${d}`);
    }
    assert.notEqual(nextExtensionDelay(0, 60 * MIN, () => 0), nextExtensionDelay(0, 60 * MIN, () => 0.9), 'jittered');
  });
  test('retries back off but always leave time before the expiry', () => {
    assert.ok(retryDelay(0, 60 * MIN, 1) < retryDelay(0, 60 * MIN, 3));
    for (let n = 0; n < 10; n++) assert.ok(retryDelay(0, 8_000, n) <= 2_000, 'at most a quarter of what is left');
    assert.equal(retryDelay(10_000, 5_000, 1), 100, 'already past: try at once');
  });
});

describe('license-token credentials renewal', () => {
  const creds = (expiresAt: number) => ({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(expiresAt) });
  test('renews when a quarter of the lifetime (at most 5 minutes) is left', () => {
    assert.equal(needsRenewal(creds(60 * MIN), 0, 50 * MIN), false);
    assert.equal(needsRenewal(creds(60 * MIN), 0, 55 * MIN), true, '5 minutes left of an hour');
    assert.equal(needsRenewal(creds(8_000), 0, 5_000), false, 'short sessions: a quarter');
    assert.equal(needsRenewal(creds(8_000), 0, 6_000), true);
    assert.equal(needsRenewal({ accessKeyId: 'a', secretAccessKey: 'b' }, 0, 1e12), false, 'no expiry, no renewal');
  });
});

function world(
  extend: (token: string, n: number) => Promise<{ consumptionToken: string; expiration?: string }>,
  licenseEnded?: () => Promise<string | undefined>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'ka-'));
  const statusPath = join(dir, 'keepalive.json');
  writeFileSync(statusPath, '{}');
  const clock = new VirtualClock();
  const saved: KeepaliveStatus[] = [];
  const logs: string[] = [];
  let calls = 0;
  const controller = new AbortController();
  const status: KeepaliveStatus = {
    v: 1,
    region: 'us-east-1',
    consumptionToken: 'tok-0',
    expiration: new Date(clock.now() + 10 * MIN).toISOString(),
    extensions: 0,
    failures: [],
    state: 'starting',
    startedAt: '',
    updatedAt: '',
    maxLifetimeMs: 6 * 60 * MIN,
  };
  const run = () =>
    runKeepalive({
      statusPath,
      status,
      extend: (t: string) => extend(t, ++calls),
      ...(licenseEnded ? { licenseEnded } : {}),
      save: async (s) => void saved.push(structuredClone(s)),
      now: clock.now,
      sleep: clock.sleep,
      log: (l) => logs.push(l),
      signal: controller.signal,
      random: () => 0.5,
    });
  return { dir, statusPath, clock, saved, logs, controller, run, calls: () => calls, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('keepalive daemon', () => {
  test('extends from each new Expiration, keeps the newest token, stops when told', async () => {
    const w = world(async (_t, n) => {
      if (n === 4) w.controller.abort();
      return { consumptionToken: `tok-${n}`, expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.equal(end.extensions, 4);
    assert.equal(end.consumptionToken, 'tok-4');
    assert.deepEqual(w.clock.sleeps.slice(0, 3), [6 * MIN, 6 * MIN, 6 * MIN], '60% of the 10 minutes left');
    assert.equal(w.saved.at(-1)?.consumptionToken, 'tok-4');
    assert.ok(!w.logs.join('\n').includes('tok-'), 'no token in the log');
    w.cleanup();
  });

  test('a refused token (checked in or expired) ends it', async () => {
    const w = world(async () => {
      throw new AwsFailure('not-found', 'ExtendLicenseConsumption', 'ResourceNotFoundException', 'gone');
    });
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.match(end.endedBecause ?? '', /refused/);
    w.cleanup();
  });

  test('an extension refused because the license itself ended: ends at once, says so, and when the seat returns', async () => {
    let asked = 0;
    const w = world(
      async () => {
        throw new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'License is SUSPENDED');
      },
      async () => (++asked, 'the license status is SUSPENDED, not AVAILABLE'),
    );
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.equal(end.licenseEnded, 'the license status is SUSPENDED, not AVAILABLE');
    assert.match(end.endedBecause ?? '', /^the license itself ended: the license status is SUSPENDED, not AVAILABLE \(ValidationException on extension\); the seat returns by itself at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ unless the post step checks it in$/);
    assert.equal(w.calls(), 1, 'no retries against an ended license');
    assert.equal(asked, 1);
    assert.ok(w.logs.some((l) => l.includes('keepalive exiting: the license itself ended')));
    w.cleanup();
  });

  test('a refused extension of a license that is still fine is retried; throttling does not even ask', async () => {
    let asked = 0;
    const w = world(
      async (_t, n) => {
        if (n === 1) throw new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'odd');
        if (n === 2) throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'RateLimitExceededException', 'slow down');
        w.controller.abort();
        return { consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
      },
      async () => (++asked, undefined),
    );
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.equal(end.extensions, 1);
    assert.equal(asked, 1, 'GetLicense only after the definite refusal');
    assert.equal(end.licenseEnded, undefined);
    w.cleanup();
  });

  test('throttling is retried well before the expiry and recorded as a failure', async () => {
    const w = world(async (_t, n) => {
      if (n <= 2) throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'RateLimitExceededException', 'slow down');
      if (n === 3) w.controller.abort();
      return { consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.extensions, 1);
    assert.equal(end.failures.length, 2);
    assert.match(end.failures[0]!, /RateLimitExceededException/);
    assert.ok(w.clock.sleeps[1]! < MIN, 'the retry came quickly');
    w.cleanup();
  });

  test('keeps the expiry to the millisecond: a retry half a second before it is still a retry', async () => {
    let expiresAt = 0;
    const w = world(async (_t, n) => {
      if (n === 1) {
        expiresAt = w.clock.now() + 10 * MIN + 900; // AWS answers with milliseconds
        return { consumptionToken: 'tok-1', expiration: new Date(expiresAt).toISOString() };
      }
      if (n === 2) {
        w.clock.t = expiresAt - 500;
        throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'ServerInternalException', 'down');
      }
      w.controller.abort();
      return { consumptionToken: 'tok-3', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.state, 'stopped', `not given up for an expiry rounded down to the second: ${end.endedBecause}`);
    assert.equal(w.calls(), 3);
    w.cleanup();
  });

  test('gives up when the consumption expired before an extension got through', async () => {
    const w = world(async () => {
      w.clock.t += 5 * MIN;
      throw new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'ServerInternalException', 'down');
    });
    const end = await w.run();
    assert.equal(end.state, 'ended');
    assert.match(end.endedBecause ?? '', /expired before it could be extended/);
    w.cleanup();
  });

  test('stops when its status file is gone (the runner cleaned RUNNER_TEMP) or after its lifetime', async () => {
    const w = world(async () => ({ consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() }));
    w.clock.afterSleep.push((n) => n === 3 && rmSync(w.statusPath));
    const end = await w.run();
    assert.equal(end.state, 'stopped');
    assert.match(end.endedBecause ?? '', /status file removed/);
    assert.equal(w.calls(), 2);
    w.cleanup();

    const old = world(async () => ({ consumptionToken: 'tok-0', expiration: new Date(old.clock.now() + 10 * MIN).toISOString() }));
    old.clock.afterSleep.push(() => void (old.clock.t += 3 * 60 * MIN));
    const aged = await old.run();
    assert.equal(aged.state, 'lifetime');
    old.cleanup();
  });
});

// A status file holds the consumption token and a license refresh token, and the keepalive and the
// post step act on what it says: it is written only as a new private file, and read only from a
// private folder of this user (test/e2e/neighbours.test.ts runs the attacks as a real second user).
const ROOT = process.getuid?.() === 0;
/** A uid no process of this job runs as: another local user, as far as owner checks go (chown needs root). */
const STRANGER = 4_000_000 + (process.pid % 100_000);
const NEEDS_ROOT = ROOT ? false : 'skipped: only root can give a file to another user (chown); run as root to test foreign owners';
const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const REFRESH = 'refresh-token-0123456789abcdefABCDEF';

const folders: string[] = [];
after(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});
/** A fresh 0700 folder, as the main step makes one for its keepalive. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'license-gate-'));
  folders.push(dir);
  return dir;
}

function status(extra: Partial<KeepaliveStatus> = {}): KeepaliveStatus {
  return {
    v: 1, licenseArn: 'arn:aws:license-manager::111122223333:license:l-1', region: 'us-east-1', consumptionToken: TOKEN,
    expiration: '2025-03-01T13:00:00Z', extensions: 0, failures: [], state: 'running', startedAt: '', updatedAt: '', maxLifetimeMs: 60_000,
    licenseToken: { token: REFRESH, roleArn: 'arn:aws:iam::111122223333:role/r' }, ...extra,
  };
}

describe('status file: written as a new private file only', () => {
  test('an entry planted at a temporary name (a link to another user\'s file) is never written through', async () => {
    const dir = folder();
    const statusPath = join(dir, 'keepalive.json');
    const theirs = join(folder(), 'theirs');
    writeFileSync(theirs, '');
    // The names a writer could be expected to use: the process id is no secret.
    symlinkSync(theirs, `${statusPath}.${process.pid}.tmp`);
    await writeStatus(statusPath, status());
    assert.equal(readFileSync(theirs, 'utf8'), '', 'no secret written into the planted link\'s target');
    const written = lstatSync(statusPath);
    assert.ok(written.isFile() && !written.isSymbolicLink(), 'the status file is a file of its own');
    assert.equal(written.mode & 0o777, 0o600);
    assert.equal((await readStatus(statusPath)).consumptionToken, TOKEN);
  });

  test('a folder that is not ours and private is refused for writing, naming it', async () => {
    const dir = folder();
    chmodSync(dir, 0o777);
    await assert.rejects(writeStatus(join(dir, 'keepalive.json'), status()), (e: Error) => e.message.includes(dir) && !e.message.includes(TOKEN));
  });
});

describe('status file: read only from our private folder, as untrusted input', () => {
  test('a folder others may enter or write, or a status file others may read, is refused naming it', async () => {
    const open = folder();
    await writeStatus(join(open, 'keepalive.json'), status());
    chmodSync(open, 0o755);
    await assert.rejects(readStatus(join(open, 'keepalive.json')), (e: Error) => e.message.includes(open));
    chmodSync(open, 0o700);
    chmodSync(join(open, 'keepalive.json'), 0o644);
    await assert.rejects(readStatus(join(open, 'keepalive.json')), (e: Error) => e.message.includes('keepalive.json'));
  });

  test('a status file that is a link, or a folder that is a link, is refused', async () => {
    const real = folder();
    await writeStatus(join(real, 'keepalive.json'), status());
    const other = folder();
    symlinkSync(join(real, 'keepalive.json'), join(other, 'keepalive.json'));
    await assert.rejects(readStatus(join(other, 'keepalive.json')), /link|regular file/);
    const linkDir = `${folder()}-link`;
    symlinkSync(real, linkDir);
    folders.push(linkDir);
    await assert.rejects(readStatus(join(linkDir, 'keepalive.json')), /link|not a directory/);
  });

  test('a folder or status file owned by another user is refused', { skip: NEEDS_ROOT }, async () => {
    const theirs = folder();
    await writeStatus(join(theirs, 'keepalive.json'), status());
    chownSync(theirs, STRANGER, STRANGER);
    await assert.rejects(readStatus(join(theirs, 'keepalive.json')), new RegExp(`uid ${STRANGER}`));
    chownSync(theirs, 0, 0);
    chownSync(join(theirs, 'keepalive.json'), STRANGER, STRANGER);
    await assert.rejects(readStatus(join(theirs, 'keepalive.json')), new RegExp(`uid ${STRANGER}`));
  });

  test('every field is checked: a malformed file is refused with the field named, its content never echoed', async () => {
    const dir = folder();
    const path = join(dir, 'keepalive.json');
    const good = status() as unknown as Record<string, unknown>;
    const cases: Array<[string, unknown, RegExp]> = [
      ['not JSON', `{"consumptionToken":"${TOKEN}"`, /JSON/],
      ['an array', [good], /object/],
      ['no failures', { ...good, failures: undefined }, /failures/],
      ['failures not strings', { ...good, failures: [1, 2] }, /failures/],
      ['too many failures', { ...good, failures: Array.from({ length: 500 }, () => 'x') }, /failures/],
      ['extensions a string', { ...good, extensions: '3' }, /extensions/],
      ['negative extensions', { ...good, extensions: -1 }, /extensions/],
      ['unknown state', { ...good, state: 'paused' }, /state/],
      ['a token with a line break', { ...good, consumptionToken: `${TOKEN}\n::warning::x` }, /consumptionToken/],
      ['a region that is no region', { ...good, region: 'evil.example.com/' }, /region/],
      ['a lifetime that is no number', { ...good, maxLifetimeMs: 'forever' }, /maxLifetimeMs/],
      ['a due time that is no number', { ...good, nextAtMs: '1' }, /nextAtMs/],
      ['a license token without a role', { ...good, licenseToken: { token: REFRESH } }, /licenseToken/],
      ['a pid that is no pid', { ...good, pid: 1.5 }, /pid/],
      ['an endedBecause that is an object', { ...good, endedBecause: { toString: 1 } }, /endedBecause/],
    ];
    for (const [what, content, problem] of cases) {
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
      await assert.rejects(readStatus(path), (e: Error) => {
        assert.ok(!(e instanceof TypeError), `${what}: ${e.message}`);
        assert.match(e.message, problem, what);
        assert.match(e.message, /is not a keepalive status file/, what);
        assert.ok(!e.message.includes(TOKEN.slice(0, 12)) && !e.message.includes(REFRESH.slice(0, 12)), `${what}: the content is echoed: ${e.message}`);
        return true;
      });
    }
  });

  test('a huge status file is refused without being read whole', async () => {
    const path = join(folder(), 'keepalive.json');
    writeFileSync(path, JSON.stringify({ ...status(), failures: ['x'.repeat(8 * 1024 * 1024)] }), { mode: 0o600 });
    await assert.rejects(readStatus(path), /too large|bytes/);
  });
});

describe('the keepalive\'s environment: an allow-list', () => {
  test('AWS settings, credentials, proxy, home and path pass; the runner\'s tokens, inputs, state and anything else do not', () => {
    const env = launch.keepaliveEnv({
      PATH: '/usr/bin', HOME: '/home/runner', TZ: 'UTC', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost', NODE_EXTRA_CA_CERTS: '/ca.pem',
      ACTIONS_RUNTIME_TOKEN: 'runtime', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc', GITHUB_TOKEN: 'ghs_x',
      ACTIONS_RUNTIME_URL: 'https://r', ACTIONS_CACHE_URL: 'https://c', INPUT_LICENSE_TOKEN: 'lt', STATE_consumption: '{}', MY_DEPLOY_KEY: 'k', NODE_OPTIONS: '--require ./evil.js',
    });
    assert.deepEqual(Object.keys(env).sort(), [
      'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'HOME', 'HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS', 'PATH', 'TZ', 'no_proxy',
    ]);
  });
});

describe('keepalive failures recorded for the post step', () => {
  test('an AWS failure that quotes the canonical request (with the session token): the code is kept, the token is not', async () => {
    const session = 'IQoJb3JpZ2luX2VjEKn//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3sessionTokenSecretPart0123456789';
    const text = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\n\n'
      + `The Canonical String for this request should have been\n'POST\n/\n\nhost:license-manager.us-east-1.amazonaws.com\nx-amz-date:20250301T120000Z\nx-amz-security-token:${session}\n'`;
    const thrown = Object.assign(new Error(text), { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    const w = world(async (_t, n) => {
      if (n === 1) throw classifyError('ExtendLicenseConsumption', thrown);
      w.controller.abort();
      return { consumptionToken: 'tok-0', expiration: new Date(w.clock.now() + 10 * MIN).toISOString() };
    });
    const end = await w.run();
    assert.equal(end.failures.length, 1);
    assert.match(end.failures[0]!, /SignatureDoesNotMatch: The request signature we calculated does not match/);
    const shown = [...end.failures, ...w.logs].join('\n');
    for (let i = 0; i + 12 <= session.length; i++) assert.ok(!shown.includes(session.slice(i, i + 12)), `a fragment of the session token is recorded: ${shown}`);
    w.cleanup();
  });
});

describe('stopping the keepalive: exactly that process', () => {
  const k = { pid: 4242, statusFile: '/runner/temp/license-gate-abc123/keepalive.json', startTime: '987654' };
  const bundles = ['/action/dist/keepalive/index.js', '/action/dist/extend/index.js'];

  test('its bundle, its status file and its start time must all match', () => {
    const same = launch.sameKeepalive;
    assert.equal(same(k, { argv: ['/node', bundles[0]!, k.statusFile], startTime: '987654' }, bundles), true, 'asleep');
    assert.equal(same(k, { argv: ['/node', bundles[1]!, k.statusFile, 'chain'], startTime: '987654' }, bundles), true, 'extending');
    assert.equal(same(k, { argv: ['/node', bundles[0]!, k.statusFile], startTime: '987655' }, bundles), false, 'a recycled pid: another start time');
    assert.equal(same(k, { argv: ['sh', '-c', 'sleep 120', k.statusFile], startTime: '987654' }, bundles), false, 'the path on another command line');
    assert.equal(same(k, { argv: ['/node', '/elsewhere/dist/keepalive/index.js', k.statusFile], startTime: '987654' }, bundles), false, 'another bundle');
    assert.equal(same(k, { argv: ['/node', bundles[0]!, '/runner/temp/license-gate-other/keepalive.json'], startTime: '987654' }, bundles), false, 'another status file');
    assert.equal(same({ ...k, startTime: undefined }, { argv: ['/node', bundles[0]!, k.statusFile], startTime: '987654' }, bundles), false, 'no start time recorded: not identified');
  });

  test('SIGTERM, and SIGKILL only if it is still that process after the grace', async () => {
    const signals: string[] = [];
    let identifications = 0;
    const ops = (stillOurs: boolean) => ({
      identify: () => ++identifications === 1 || stillOurs,
      signal: (_pid: number, s: NodeJS.Signals) => void signals.push(s),
      exited: async () => false,
    });
    await launch.stopProcess(k, ops(true));
    assert.deepEqual(signals, ['SIGTERM', 'SIGKILL']);
    signals.length = 0;
    identifications = 0;
    await launch.stopProcess(k, ops(false));
    assert.deepEqual(signals, ['SIGTERM'], 'the pid was freed and taken by another process during the grace: not killed');
    signals.length = 0;
    identifications = 0;
    await launch.stopProcess(k, { ...ops(true), identify: () => false });
    assert.deepEqual(signals, [], 'not identified: not signalled at all');
  });
});
