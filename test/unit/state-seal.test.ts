import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
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
