import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { sealMatches, sealOf, stateKey } from '../../src/state-seal.js';

const dir = mkdtempSync(join(tmpdir(), 'lg-seal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('stateKey', () => {
  test('created once per step, 32 bytes, mode 0600; read back by the post step; another step has another key', () => {
    const env = { RUNNER_TEMP: dir, GITHUB_ACTION: 'license' };
    const key = stateKey(env, true);
    assert.equal(key?.length, 32);
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.key'));
    assert.equal(statSync(join(dir, file!)).mode & 0o777, 0o600);
    assert.deepEqual(stateKey(env, false), key, 'the post step reads the same key');
    const other = stateKey({ RUNNER_TEMP: dir, GITHUB_ACTION: 'license2' }, true);
    assert.notDeepEqual(other, key);
  });

  test('no key without RUNNER_TEMP, and none made up by the post step', () => {
    assert.equal(stateKey({}, true), undefined);
    assert.equal(stateKey({ RUNNER_TEMP: dir, GITHUB_ACTION: 'never-ran' }, false), undefined);
  });
});

describe('sealOf and sealMatches', () => {
  const key = Buffer.alloc(32, 7);
  const body = JSON.stringify({ consumptionToken: 'abc', licenseArn: 'arn:x' });
  test('the seal matches its body under its key only', () => {
    const seal = sealOf(key, body);
    assert.match(seal, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(sealMatches(key, body, seal), true);
    assert.equal(sealMatches(key, body.replace('abc', 'abd'), seal), false, 'a changed body');
    assert.equal(sealMatches(Buffer.alloc(32, 8), body, seal), false, 'another key');
    assert.equal(sealMatches(key, body, seal.slice(0, -1)), false, 'a cut seal');
    assert.equal(sealMatches(key, body, undefined), false);
    assert.equal(sealMatches(key, body, 42), false);
  });
});

// The key's name is predictable (the post step must find it from the environment alone), so an
// existing file is believed only when it is this user's own private file.
const ROOT = process.getuid?.() === 0;
/** A uid no process of this job runs as: another local user, as far as owner checks go (chown needs root). */
const STRANGER = 4_000_000 + (process.pid % 100_000);
const NEEDS_ROOT = ROOT ? false : 'skipped: only root can give a file to another user (chown); run as root to test foreign owners';

/** A RUNNER_TEMP of its own and the path the key of step `step` has in it. */
function runnerTemp(step = 'license') {
  const temp = mkdtempSync(join(dir, 'temp-'));
  const name = `.license-gate-state-${createHash('sha256').update(step).digest('hex').slice(0, 16)}.key`;
  return { env: { RUNNER_TEMP: temp, GITHUB_ACTION: step }, temp, keyPath: join(temp, name) };
}
const planted = Buffer.alloc(32, 0x41);

describe('stateKey: a key planted before the main step is never used', () => {
  test('a pre-created key others may read is refused, naming the file and the fix; so is one of the wrong size', () => {
    const t = runnerTemp();
    writeFileSync(t.keyPath, planted, { mode: 0o644 });
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath) && /remove it/.test(e.message));
    assert.throws(() => stateKey(t.env, false), (e: Error) => e.message.includes(t.keyPath), 'the post step refuses it too');
    chmodSync(t.keyPath, 0o600);
    writeFileSync(t.keyPath, Buffer.alloc(5));
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath));
  });

  test('a link at the key\'s name is neither followed to read nor to create a key where it points', () => {
    const t = runnerTemp();
    const elsewhere = join(t.temp, 'attacker-reads-this');
    symlinkSync(elsewhere, t.keyPath); // dangling: a follower would create the key there
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath));
    assert.equal(existsSync(elsewhere), false, 'no key written through the link');
    writeFileSync(elsewhere, planted, { mode: 0o600 });
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath), 'nor read through it');
  });

  test('a key owned by another user is refused, even with mode 0600', { skip: NEEDS_ROOT }, () => {
    const t = runnerTemp();
    writeFileSync(t.keyPath, planted, { mode: 0o600 });
    chownSync(t.keyPath, STRANGER, STRANGER);
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath) && e.message.includes(`uid ${STRANGER}`));
    assert.throws(() => stateKey(t.env, false), (e: Error) => e.message.includes(t.keyPath));
  });

  test('something that cannot be a key (a directory) is refused with the path, not trusted or replaced', () => {
    const t = runnerTemp();
    mkdirSync(t.keyPath);
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.keyPath));
  });

  test('a RUNNER_TEMP where other users may create or rename entries (no sticky bit) is refused, naming it and the fix', () => {
    const t = runnerTemp();
    chmodSync(t.temp, 0o777);
    assert.throws(() => stateKey(t.env, true), (e: Error) => e.message.includes(t.temp) && /chmod/.test(e.message));
    chmodSync(t.temp, 0o1777); // sticky, like /tmp: only an entry's owner may rename or remove it
    assert.equal(stateKey(t.env, true)?.length, 32);
  });

  test('a main step run again in the same job reads its own key back (created exclusively, once)', () => {
    const t = runnerTemp();
    const first = stateKey(t.env, true);
    assert.deepEqual(stateKey(t.env, true), first);
    assert.equal(statSync(t.keyPath).mode & 0o777, 0o600);
  });
});
