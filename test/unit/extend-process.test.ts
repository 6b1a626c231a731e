// The keepalive's extension process, driven through its status file as the real chain drives it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AwsFailure } from '../../src/failure.js';
import { extendWhileClose } from '../../src/keepalive/extend-process.js';
import { writeStatus, type KeepaliveStatus } from '../../src/keepalive/status-file.js';
import { FakeLicenseManager } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'lg-extend-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A running keepalive's status file whose next extension is due now, for a seat held in `lm`. */
async function keepalive(lm: FakeLicenseManager, licenseArn: string, expiresInMs: number) {
  const token = lm.occupy(licenseArn, 'Seats');
  const statusPath = join(dir, `keepalive-${++n}.json`);
  const now = Date.now();
  const status: KeepaliveStatus = {
    v: 1, licenseArn, region: 'us-east-1', consumptionToken: token, extensions: 0, failures: [], state: 'running', startedAt: '', updatedAt: '',
    maxLifetimeMs: 3_600_000, sinceMs: now, expiresAtMs: now + expiresInMs, expiration: new Date(now + expiresInMs).toISOString(), nextAtMs: now,
  };
  await writeStatus(statusPath, status);
  return { statusPath, token, read: () => JSON.parse(readFileSync(statusPath, 'utf8')) as KeepaliveStatus };
}

class Became extends Error {
  constructor(readonly args: string[]) {
    super('execve');
  }
}
const execve = ((_file: string, args: string[]) => {
  throw new Became(args);
}) as unknown as (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

function world(entitlements = [{ name: 'Seats', maxCount: 2 }]) {
  const lm = new FakeLicenseManager();
  const license = lm.addLicense({ entitlements });
  return { lm, arn: license.licenseArn, service: async () => lm.service({ region: 'us-east-1' }) };
}

describe('extendWhileClose', () => {
  test('once: one extension, recorded in the status file with the new expiry and the next due time', async () => {
    const w = world();
    const k = await keepalive(w.lm, w.arn, 60_000);
    await extendWhileClose({ statusPath: k.statusPath, mode: 'once', signal: new AbortController().signal, service: w.service });
    const s = k.read();
    assert.equal(s.extensions, 1);
    assert.equal(s.state, 'running');
    assert.ok((s.expiresAtMs ?? 0) > Date.now() + 50 * 60_000, 'the fake extends by an hour');
    assert.ok((s.nextAtMs ?? 0) > Date.now() + 25 * 60_000, 'next at 50-70 % of the time left');
    assert.deepEqual(w.lm.ops(), ['extend']);
  });

  test('chain: once the next extension is far off, it becomes the small sleeper (execve of dist/keepalive with the status path)', async () => {
    const w = world();
    const k = await keepalive(w.lm, w.arn, 60_000);
    await assert.rejects(
      extendWhileClose({ statusPath: k.statusPath, mode: 'chain', signal: new AbortController().signal, service: w.service, execve }),
      (e: unknown) => e instanceof Became && /keepalive[/\\]index\.js$/.test(e.args[1] ?? '') && e.args[2] === k.statusPath,
    );
    assert.equal(k.read().extensions, 1, 'the extension was saved before the process became the sleeper');
  });

  test('a refused extension of a license that was suspended: the chain ends, saying the license itself ended', async () => {
    const w = world();
    const k = await keepalive(w.lm, w.arn, 60_000);
    w.lm.licenses[0]!.status = 'SUSPENDED';
    w.lm.failNext('extend', new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'License is SUSPENDED'));
    await extendWhileClose({ statusPath: k.statusPath, mode: 'chain', signal: new AbortController().signal, service: w.service, execve });
    const s = k.read();
    assert.equal(s.state, 'ended');
    assert.equal(s.licenseEnded, 'the license status is SUSPENDED, not AVAILABLE');
    assert.deepEqual(w.lm.ops(), ['extend', 'getLicense']);
  });

  test('a license that no longer exists reads as ended; one that is fine is retried on schedule', async () => {
    /** One refused extension, after which GetLicense fails as `getLicense` says: what the keepalive records. */
    const endedBy = async (getLicense: AwsFailure) => {
      const w = world();
      const k = await keepalive(w.lm, w.arn, 60_000);
      w.lm.failNext('extend', new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'x'));
      w.lm.failNext('getLicense', getLicense);
      await extendWhileClose({ statusPath: k.statusPath, mode: 'once', signal: new AbortController().signal, service: w.service });
      return k.read().licenseEnded;
    };
    assert.equal(await endedBy(new AwsFailure('not-found', 'GetLicense', 'ResourceNotFoundException', 'gone')), 'the license no longer exists');
    // GetLicense's model has no ResourceNotFound: AWS says a license this account may no longer see is an invalid parameter.
    assert.equal(
      await endedBy(new AwsFailure('misconfigured', 'GetLicense', 'InvalidParameterValueException', 'License does not exist')),
      'the license no longer exists for this account (deleted, or its grant withdrawn)',
    );

    const fine = world();
    const f = await keepalive(fine.lm, fine.arn, 60_000);
    fine.lm.failNext('extend', new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', 'odd'));
    await extendWhileClose({ statusPath: f.statusPath, mode: 'once', signal: new AbortController().signal, service: fine.service });
    const s = f.read();
    assert.equal(s.state, 'running');
    assert.equal(s.failuresInARow, 1);
    assert.ok((s.nextAtMs ?? 0) - Date.now() < 16_000, 'retried well before the expiry');
  });

  test('stopped (the post step\'s SIGTERM) before the extension is due: it records why and extends nothing', async () => {
    const w = world();
    const k = await keepalive(w.lm, w.arn, 60_000);
    const stop = new AbortController();
    stop.abort();
    await extendWhileClose({ statusPath: k.statusPath, mode: 'chain', signal: stop.signal, service: w.service, execve });
    assert.equal(k.read().state, 'stopped');
    assert.deepEqual(w.lm.ops(), []);
  });
});

describe('extendWhileClose: the status file is untrusted input', () => {
  test('a status file without failures is refused with a reason before anything is extended, not a TypeError', async () => {
    const w = world();
    const k = await keepalive(w.lm, w.arn, 60_000);
    const { failures: _gone, ...withoutFailures } = k.read();
    writeFileSync(k.statusPath, JSON.stringify(withoutFailures), { mode: 0o600 });
    w.lm.failNext('extend', new AwsFailure('unavailable', 'ExtendLicenseConsumption', 'ServerInternalException', 'down'));
    await assert.rejects(
      extendWhileClose({ statusPath: k.statusPath, mode: 'once', signal: new AbortController().signal, service: w.service }),
      (e: Error) => !(e instanceof TypeError) && /is not a keepalive status file \(failures/.test(e.message),
    );
    assert.deepEqual(w.lm.ops(), [], 'nothing done on a file it cannot trust');
  });
});
