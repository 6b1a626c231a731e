// No secret, fragment of one (12 characters) or encoded form of one shows anywhere a person or a
// later step can read it, nor on any process's command line, in every scenario the action has.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { createSignKey, createTestLicense, kmsClient, licenseManagerClient, seatUsage } from '../support/emulator.js';
import { collect, describeLeaks, findLeaks, keepaliveLog, recordingProxy, sampleCommandLines, type Secret, type Source } from '../support/leak-check.js';
import { awsEnv, runAction, type ActionResult } from '../support/run-action.js';

// The job's own keys (as configure-aws-credentials would export them) and an ISV's keys, both 40
// characters like real secret keys so that every 12-character fragment is distinctive.
const JOB = { accessKeyId: 'AKIAJOBLEAKCHECK0001', secretAccessKey: 'jobSecret/Key+LeakCheck0123456789abcdefA' };
const ISV = { accessKeyId: 'AKIAISVLEAKCHECK0001', secretAccessKey: 'isvSecret/Key+LeakCheck0123456789abcdefB' };
const ROLE = 'arn:aws:iam::111122223333:role/widget-license-consumer';
// One TTL minute lasts 200 ms: a 10-minute TTL is 2 s; an access token's hour is 12 s.
const MINUTE_MS = 200;

let emu: Emulator;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let signKeyArn: string;
let publicKeyPem: string;
before(async () => {
  emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS, credentials: [JOB, ISV] });
  proxy = await recordingProxy(emu.port);
  signKeyArn = await createSignKey(emu, 'RSA_2048', JOB);
  const der = Buffer.from((await kmsClient(emu, JOB).send(new GetPublicKeyCommand({ KeyId: signKeyArn }))).PublicKey!);
  publicKeyPem = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----`;
});
after(async () => {
  await proxy.close();
  await emu.close();
});

const jobEnv = (extra: Record<string, string> = {}) => ({ ...awsEnv(proxy.url, JOB), ...extra });
const noKeysEnv = () => ({ AWS_ENDPOINT_URL: proxy.url, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
const seats = (arn: string) => seatUsage(emu, arn, JOB);

const license = (o: { maxCount?: number; ttlMinutes?: number; borrow?: boolean } = {}) =>
  createTestLicense(emu, {
    entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: o.maxCount ?? 2, AllowCheckIn: true }],
    ttlMinutes: o.ttlMinutes ?? 60,
    credentials: JOB,
    ...(o.borrow ? { borrow: true, signKey: signKeyArn } : {}),
  });

/**
 * Runs `body` while sampling command lines, then checks everything the steps wrote against every
 * secret: those AWS handed out (seen by the proxy), the tokens in outputs, both secret keys, and
 * what `body` returns (secrets the test put into the job).
 */
async function checkScenario(body: (steps: Array<[string, ActionResult]>) => Promise<Secret[]>): Promise<{ secrets: Secret[]; sources: Source[] }> {
  const sampler = sampleCommandLines();
  const steps: Array<[string, ActionResult]> = [];
  const given = await body(steps).finally(() => sampler.stop());
  const cmdlines = sampler.stop();
  const sources = [...steps.flatMap(([name, r]) => [...collect(name, r), ...(name.startsWith('main') ? keepaliveLog(r) : [])]), ...cmdlines];
  const fromOutputs = steps.flatMap(([, r]) => [
    ...(r.outputs['license-consumption-token'] ? [{ what: 'consumption token (output)', value: r.outputs['license-consumption-token'] }] : []),
    ...(r.outputs['signed-token'] ? [{ what: 'signed token (output)', value: r.outputs['signed-token'] }] : []),
  ]);
  const secrets = [...proxy.secrets(), ...fromOutputs, ...given, { what: 'job secret key', value: JOB.secretAccessKey }, { what: 'ISV secret key', value: ISV.secretAccessKey }];
  const leaks = findLeaks(sources, secrets);
  assert.deepEqual(leaks, [], `secrets visible:\n${describeLeaks(leaks)}`);
  return { secrets, sources };
}

const main = (steps: Array<[string, ActionResult]>, inputs: Record<string, string>, env = jobEnv()) =>
  runAction('main', { inputs, env }).then((r) => (steps.push(['main', r]), r));
const post = (steps: Array<[string, ActionResult]>, m: ActionResult, inputs: Record<string, string> = {}, env = jobEnv()) =>
  runAction('post', { inputs, state: m.state, job: m.job, env }).then((r) => (steps.push(['post', r]), r));

const has = (secrets: Secret[], what: string) => secrets.some((s) => s.what === what);

describe('the leak harness itself', () => {
  const fake = (stdout: string, extra: Partial<ActionResult> = {}): ActionResult =>
    ({ code: 0, signal: null, stdout, stderr: '', outputs: {}, state: {}, exportedEnv: {}, summary: '', masks: [], errors: [], warnings: [], job: { dir: '', runnerTemp: '' }, durationMs: 0, ...extra }) as ActionResult;
  const secret = { what: 'token', value: 'c0ffee0123456789abcdef0123456789' };
  const leaks = (r: ActionResult) => findLeaks(collect('step', r), [secret]);

  test('finds the secret, a fragment, and its encoded forms', () => {
    assert.equal(leaks(fake(`token ${secret.value}`)).length, 1);
    assert.equal(leaks(fake(`prefix ${secret.value.slice(5, 17)} suffix`)).length, 1);
    assert.equal(leaks(fake(Buffer.from(secret.value).toString('base64'))).length, 1);
    assert.equal(leaks(fake(Buffer.from(secret.value).toString('base64url'))).length, 1);
    const odd = 'a/b+c=d e&f?g#h%i';
    assert.equal(findLeaks(collect('s', fake(encodeURIComponent(odd))), [{ what: 'x', value: odd }]).length, 1, 'URL-encoded');
    assert.equal(leaks(fake('', { summary: `| ${secret.value} |` })).length, 1, 'summaries are not masked');
    assert.equal(leaks(fake('', { exportedEnv: { X: secret.value } })).length, 1, 'GITHUB_ENV');
    assert.equal(leaks(fake('', { outputs: { 'license-arn': secret.value } })).length, 1, 'a non-secret output');
    assert.equal(leaks(fake('', { stderr: secret.value })).length, 1, 'stderr');
  });

  test('a value masked before it appears is hidden; one masked after, or only in part, is not', () => {
    assert.deepEqual(leaks(fake(`::add-mask::${secret.value}\nthe token is ${secret.value}`)), []);
    assert.deepEqual(leaks(fake('', { outputs: { 'license-consumption-token': secret.value } })), [], 'the masked output itself');
    assert.equal(leaks(fake(`the token is ${secret.value}\n::add-mask::${secret.value}`)).length, 1, 'masked too late');
    assert.equal(leaks(fake(`::add-mask::${secret.value}\nstart ${secret.value.slice(0, 20)}`)).length, 1, 'a fragment is not masked');
  });

  test('command lines are sampled', async () => {
    const { spawn } = await import('node:child_process');
    const sampler = sampleCommandLines(5);
    const child = spawn('sh', ['-c', 'sleep 0.3', 'sh', secret.value.slice(2, 14)]);
    await new Promise((r) => child.on('exit', r));
    assert.equal(findLeaks(sampler.stop(), [secret]).length, 1);
  });
});

describe('no secret is visible in any scenario', { concurrency: 3 }, () => {
  test('checkout with keepalive, then post', async () => {
    const lic = await license();
    const { secrets, sources } = await checkScenario(async (steps) => {
      const m = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
      assert.equal(m.code, 0, m.stdout + m.stderr);
      const p = await post(steps, m);
      assert.match(p.stdout, /Checked in/);
      return [];
    });
    assert.ok(has(secrets, 'LicenseConsumptionToken'), 'the proxy saw the consumption token');
    assert.ok(sources.some((s) => s.where.startsWith('command line') && s.text.includes('dist/keepalive/index.js')), 'the keepalive command line was sampled');
    assert.ok(sources.some((s) => s.where === 'keepalive.log' && s.text.length > 0), 'the keepalive log was read');
    assert.deepEqual(await seats(lic.licenseArn), { Seats: 0 });
  });

  test('optional entitlement missing', async () => {
    const lic = await license();
    await checkScenario(async (steps) => {
      const m = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1 (optional)' });
      assert.equal(m.code, 0, m.stdout);
      assert.deepEqual(JSON.parse(m.outputs.missing!), ['GPU Builds']);
      await post(steps, m);
      return [];
    });
  });

  test('required entitlement missing (partial grant checked in by the main step)', async () => {
    const lic = await license();
    const { secrets } = await checkScenario(async (steps) => {
      const m = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1' });
      assert.equal(m.code, 1);
      await post(steps, m);
      return [];
    });
    assert.ok(has(secrets, 'LicenseConsumptionToken'));
  });

  test('refusal: every seat taken', async () => {
    const lic = await license({ maxCount: 1 });
    await checkScenario(async (steps) => {
      const holder = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
      const refused = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: jobEnv({ GITHUB_JOB: 'other' }) });
      steps.push(['main refused', refused]);
      assert.equal(refused.code, 1);
      assert.match(refused.errors.join('\n'), /Not entitled/);
      await post(steps, refused);
      await post(steps, holder);
      return [];
    });
  });

  test('keepalive over several TTLs', async () => {
    const lic = await license({ ttlMinutes: 10 }); // 2 s
    await checkScenario(async (steps) => {
      const m = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' });
      assert.equal(m.code, 0, m.stdout);
      await delay(5_000);
      const p = await post(steps, m);
      assert.match(p.stdout, /Keepalive: [1-9]\d* extension/, p.stdout);
      return [];
    });
  });

  test('borrow (signed token, token file)', async () => {
    const lic = await license({ borrow: true });
    const { secrets } = await checkScenario(async (steps) => {
      const m = await main(steps, { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'node-id': 'airgap-1', 'checkout-metadata': 'Runner=airgap-1' });
      assert.equal(m.code, 0, m.stdout + m.stderr);
      await post(steps, m, { mode: 'borrow' });
      return [];
    });
    assert.ok(has(secrets, 'SignedToken'), 'the proxy saw the signed token');
  });

  test('verify (valid, and refused for another node)', async () => {
    const lic = await license({ borrow: true });
    const b = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'node-id': 'airgap-2' }, env: jobEnv() });
    assert.equal(b.code, 0, b.stdout);
    const token = b.outputs['signed-token']!;
    const claimsToken = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { licenseConsumptionToken: string };
    await checkScenario(async (steps) => {
      const ok = await runAction('verify', { inputs: { token, 'public-key': publicKeyPem } });
      steps.push(['verify', ok]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal(ok.outputs.valid, 'true');
      const no = await runAction('verify', { inputs: { token, 'public-key': publicKeyPem, 'node-id': 'someone-else' } });
      steps.push(['verify refused', no]);
      assert.equal(no.code, 1);
      return [
        { what: 'signed token', value: token },
        { what: 'consumption token inside the signed token', value: claimsToken.licenseConsumptionToken },
      ];
    });
  });

  test('license token: no AWS keys in the job; refresh token, access token and STS keys never shown', async () => {
    const lic = await license({ ttlMinutes: 10 });
    const out = await licenseManagerClient(emu, ISV).send(new CreateTokenCommand({ LicenseArn: lic.licenseArn, RoleArns: [ROLE], ClientToken: `t-${Date.now()}` }));
    const refresh = out.Token!;
    const inputs = { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': refresh, 'role-arn': ROLE };
    const { secrets } = await checkScenario(async (steps) => {
      const m = await main(steps, inputs, noKeysEnv());
      assert.equal(m.code, 0, m.stdout + m.stderr);
      await delay(4_000); // extensions with the token's credentials
      const p = await post(steps, m, inputs, noKeysEnv());
      assert.match(p.stdout, /Checked in/, p.stdout);
      return [{ what: 'refresh token', value: refresh }];
    });
    for (const what of ['AccessToken', 'SecretAccessKey', 'SessionToken']) assert.ok(has(secrets, what), `the proxy saw no ${what}`);
  });
});
