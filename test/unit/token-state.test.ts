// The state file against a clock set back (issue 14, item 2): the newest time seen is recorded on
// every check that got past the signature, refusals included, and never moves backwards, even
// when checks in several processes record at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { recordNewestSeen } from '../../src/token/state-file.js';
import { verifyLicenseToken } from '../../src/verify-lib.js';
import { awsPayload, NOW, publicPem, rsaKeys, signToken } from './token-fixtures.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'lg-token-state-'));
const publicKey = publicPem();
const token = signToken(); // issued 2026-03-01T11:00:00Z, expires 2026-03-02T11:00:00Z
const newestSeen = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { newestSeen: string }).newestSeen;
let files = 0;
const fresh = () => join(dir, `state-${++files}.json`);

describe('the newest time seen is recorded on refusals too', () => {
  test('a token refused as expired is not revived by setting the clock back', async () => {
    const stateFile = fresh();
    const afterExpiry = new Date('2026-03-03T12:00:00Z');
    assert.equal((await verifyLicenseToken(token, { publicKey, now: afterExpiry, stateFile })).code, 'expired');
    const setBack = await verifyLicenseToken(token, { publicKey, now: NOW, stateFile });
    assert.equal(setBack.valid, false, 'the clock set back revived an expired token');
    assert.equal(setBack.code, 'clock-set-back');
  });

  test('every refusal after the signature records: claims, expectations, validity', async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['entitlement-insufficient', token, { entitlements: 'Seats = 99' }],
      ['node-id-mismatch', token, { nodeId: 'someone-else' }],
      ['claim-missing', signToken(awsPayload({ licenseArn: undefined })), {}],
      ['not-yet-valid', signToken(awsPayload({ nbf: Date.parse('2026-03-01T13:00:00Z') / 1000 })), {}],
    ];
    for (const [code, t, options] of cases) {
      const stateFile = fresh();
      assert.equal((await verifyLicenseToken(t, { publicKey, now: NOW, stateFile, ...options })).code, code);
      assert.equal(newestSeen(stateFile), '2026-03-01T12:00:00Z', code);
    }
  });

  test('a token whose signature does not verify records nothing (it proves nothing about time)', async () => {
    const stateFile = fresh();
    const forged = signToken(awsPayload(), { alg: 'PS384' }, rsaKeys('other').privateKey);
    assert.equal((await verifyLicenseToken(forged, { publicKey, now: new Date('2030-01-01T00:00:00Z'), stateFile })).code, 'signature-invalid');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(stateFile.split('/').at(-1)!)), []);
  });

  test('a token issued beyond the skew does not push the watermark to its issuedAt', async () => {
    const stateFile = fresh();
    const future = signToken(awsPayload({ issuedAt: '2026-03-01T18:00:00Z' }));
    assert.equal((await verifyLicenseToken(future, { publicKey, now: NOW, stateFile })).code, 'issued-in-future');
    assert.equal(newestSeen(stateFile), '2026-03-01T12:00:00Z');
  });
});

describe('recordNewestSeen never moves the time backwards', () => {
  test('an earlier time recorded after a later one leaves the later one', async () => {
    const path = fresh();
    assert.equal(await recordNewestSeen(path, new Date('2026-03-01T12:00:00Z')), undefined);
    assert.equal(await recordNewestSeen(path, new Date('2026-03-01T11:00:00Z')), undefined);
    assert.equal(newestSeen(path), '2026-03-01T12:00:00Z');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test('corrupt content is not overwritten (deleting it is the explicit way to forget)', async () => {
    const path = fresh();
    writeFileSync(path, 'garbage');
    assert.equal((await recordNewestSeen(path, NOW))?.code, 'state-file-error');
    assert.equal(readFileSync(path, 'utf8'), 'garbage');
  });

  test('it waits for a lock another check holds, and records the maximum once it is free', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, '');
    const recording = recordNewestSeen(path, NOW);
    await new Promise((r) => setTimeout(r, 300));
    assert.throws(() => statSync(path), /ENOENT/, 'it wrote while the lock was held');
    writeFileSync(path, '{"newestSeen":"2026-03-01T13:00:00Z"}\n');
    const { rmSync } = await import('node:fs');
    rmSync(`${path}.lock`);
    assert.equal(await recording, undefined);
    assert.equal(newestSeen(path), '2026-03-01T13:00:00Z', 'it did not re-read under the lock');
  });

  test('a lock left by a check that died is broken after a while', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, past, past);
    assert.equal(await recordNewestSeen(path, NOW), undefined);
    assert.equal(newestSeen(path), '2026-03-01T12:00:00Z');
    assert.throws(() => statSync(`${path}.lock`), /ENOENT/);
  });

  test('checks in 8 processes recording at once leave the newest of all their times', async () => {
    const path = fresh();
    const script = `
      const { recordNewestSeen } = await import(${JSON.stringify(join(ROOT, 'src/token/state-file.ts'))});
      const [path, seed, start] = JSON.parse(process.argv[1]);
      await new Promise((r) => setTimeout(r, start - Date.now()));
      const times = Array.from({ length: 40 }, (_, i) => Date.parse('2026-03-01T00:00:00Z') + ((seed * 7919 + i * 104729) % 86_400) * 1000);
      for (const t of times) { const problem = await recordNewestSeen(path, new Date(t)); if (problem) throw new Error(problem.reason); }
      process.stdout.write(String(Math.max(...times)));
    `;
    // All start together, once every process has loaded, so their records really overlap.
    const start = Date.now() + 3000;
    const runs = Array.from({ length: 8 }, (_, seed) => new Promise<number>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify([path, seed, start])], { cwd: ROOT });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('close', (code) => (code === 0 ? done(Number(out)) : fail(new Error(err))));
    }));
    const newest = Math.max(...(await Promise.all(runs)));
    assert.equal(Date.parse(newestSeen(path)), newest);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(path.split('/').at(-1)!) && f !== path.split('/').at(-1)), [], 'no temporary or lock file left');
  });
});
