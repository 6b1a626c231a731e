import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateTokenCommand, DeleteTokenCommand } from '@aws-sdk/client-license-manager';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createTestLicense, licenseManagerClient, seatUsage } from '../support/emulator.js';
import { runAction, type ActionResult } from '../support/run-action.js';

// The emulator accepts only the ISV's keys: the customer's job has no AWS credentials at all.
const ISV = { accessKeyId: 'AKIAISVEXAMPLE', secretAccessKey: 'isv-secret-key-example' };
const ROLE = 'arn:aws:iam::111122223333:role/widget-license-consumer';
// One TTL minute is 100 ms: the access token and role session (one hour) last 6 s, a
// 20-minute consumption two seconds, so a 10-second job renews its credentials and extends many times.
const MINUTE_MS = 100;

let emu: Emulator;
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS, credentials: [ISV] });
});
after(() => emu.close());

const jobEnv = () => ({ AWS_ENDPOINT_URL: emu.url, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });

async function licenseAndToken(roleArns = [ROLE]) {
  const lic = await createTestLicense(emu, {
    entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }],
    ttlMinutes: 20,
    credentials: ISV,
  });
  const lm = licenseManagerClient(emu, ISV);
  const out = await lm.send(new CreateTokenCommand({ LicenseArn: lic.licenseArn, RoleArns: roleArns, ClientToken: `t-${Date.now()}-${Math.random()}` }));
  return { lic, token: out.Token!, tokenId: out.TokenId!, lm };
}

function printedText(r: ActionResult): string {
  return r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr + r.summary + JSON.stringify(r.exportedEnv);
}

describe('license token: no AWS account, no ambient credentials', () => {
  test('whole lifecycle with credentials renewed during a long job', async () => {
    const { lic, token } = await licenseAndToken();
    const inputs = { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': token, 'role-arn': ROLE };
    const assumedBefore = emu.stats().requests.byOperation.AssumeRoleWithWebIdentity?.total ?? 0;
    const m = await runAction('main', { inputs, env: jobEnv() });
    assert.equal(m.code, 0, m.stdout + m.stderr);
    assert.equal(m.outputs.entitled, 'true');
    assert.deepEqual(await seatUsage(emu, lic.licenseArn, ISV), { Seats: 1 });
    await delay(10_000); // > 1.5 credential lifetimes, 5 consumption TTLs
    const status = (JSON.parse(m.state.consumption!) as { keepalive: { statusFile: string } }).keepalive.statusFile;
    const log = readFileSync(status.replace(/keepalive\.json$/, 'keepalive.log'), 'utf8');
    assert.deepEqual(await seatUsage(emu, lic.licenseArn, ISV), { Seats: 1 }, `the seat survived the job; keepalive log:\n${log}`);
    assert.ok(!log.includes(token), 'no token in the keepalive log');
    const p = await runAction('post', { inputs, state: m.state, job: m.job, env: jobEnv() });
    assert.equal(p.code, 0, p.stdout);
    assert.match(p.stdout, /Checked in/);
    assert.deepEqual(await seatUsage(emu, lic.licenseArn, ISV), { Seats: 0 });
    const assumed = (emu.stats().requests.byOperation.AssumeRoleWithWebIdentity?.total ?? 0) - assumedBefore;
    assert.ok(assumed >= 3, `role assumed ${assumed} times: main, keepalive renewals, post`);
    for (const r of [m, p]) {
      assert.ok(!printedText(r).includes(token), 'the license token was printed');
      assert.ok(r.masks.includes(token), 'the license token was not masked');
      assert.deepEqual(r.exportedEnv, {}, 'nothing exported to later steps');
    }
  });

  test('a revoked token fails at GetAccessToken with a clear message', async () => {
    const { lic, token, tokenId, lm } = await licenseAndToken();
    await lm.send(new DeleteTokenCommand({ TokenId: tokenId }));
    const m = await runAction('main', {
      inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': token, 'role-arn': ROLE },
      env: jobEnv(),
    });
    assert.equal(m.code, 1);
    assert.match(m.errors.join('\n'), /license-token was refused by GetAccessToken/);
    assert.ok(!printedText(m).includes(token));
  });

  test('a role the token does not list cannot be assumed', async () => {
    const { lic, token } = await licenseAndToken();
    const other = 'arn:aws:iam::111122223333:role/someone-else';
    const m = await runAction('main', {
      inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': token, 'role-arn': other },
      env: jobEnv(),
    });
    assert.equal(m.code, 1);
    assert.match(m.errors.join('\n'), /role .*someone-else could not be assumed with the license token/);
  });

  test('a garbage token is refused without echoing it', async () => {
    const lic = await createTestLicense(emu, { entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 1 }], credentials: ISV });
    const garbage = 'eyJhbGciOiJSUzI1NiJ9.bm90LWEtdG9rZW4.c2lnbmF0dXJl';
    const m = await runAction('main', {
      inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': garbage, 'role-arn': ROLE },
      env: jobEnv(),
    });
    assert.equal(m.code, 1);
    assert.match(m.errors.join('\n'), /license-token was refused/);
    assert.ok(!printedText(m).includes(garbage));
  });
});
