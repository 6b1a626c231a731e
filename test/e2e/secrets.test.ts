// No secret, fragment of one (12 characters) or encoded form of one shows anywhere a person or a
// later step can read it, nor on any process's command line, in every scenario the action has.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
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
  const sources = [...steps.flatMap(([name, r]) => [...collect(name, r), ...(name.startsWith('main') ? (logs.get(r) ?? keepaliveLog(r)) : [])]), ...cmdlines];
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
/** The keepalive log of each main step, read just before its post step removes the keepalive's folder. */
const logs = new Map<ActionResult, Source[]>();
const post = async (steps: Array<[string, ActionResult]>, m: ActionResult, inputs: Record<string, string> = {}, env = jobEnv()) => {
  logs.set(m, await startedLog(m));
  const r = await runAction('post', { inputs, state: m.state, job: m.job, env });
  steps.push(['post', r]);
  return r;
};

/** The keepalive's log once it has said it started (a post step right after the main step would otherwise find it empty). */
async function startedLog(m: ActionResult): Promise<Source[]> {
  for (const until = Date.now() + 5_000; Date.now() < until; await delay(50)) {
    const log = keepaliveLog(m);
    if (log.length === 0 || log.some((s) => s.text.length > 0)) return log;
  }
  return keepaliveLog(m);
}

/**
 * An HTTP hop that answers the first ExtendLicenseConsumption with what services answer a signature
 * they reject: the canonical request the caller signed, quoted with its headers (session token
 * included), and its Authorization header. Everything else passes to `upstreamPort` unchanged.
 */
async function quotingProxy(upstreamPort: number): Promise<{ url: string; quoted(): number; close(): Promise<void> }> {
  let quoted = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      const body = Buffer.concat(chunks);
      if (quoted === 0 && String(req.headers['x-amz-target'] ?? '').endsWith('.ExtendLicenseConsumption')) {
        quoted++;
        const headers = Object.entries(req.headers).filter(([k]) => k === 'host' || k === 'content-type' || k.startsWith('x-amz-')).map(([k, v]) => `${k}:${String(v)}`);
        const message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n'
          + `The Canonical String for this request should have been\n'POST\n/\n\n${headers.join('\n')}\n\n${createHash('sha256').update(body).digest('hex')}'\n\nAuthorization: ${String(req.headers.authorization)}`;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': 'InvalidSignatureException' });
        res.end(JSON.stringify({ __type: 'InvalidSignatureException', message }));
        return;
      }
      const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    quoted: () => quoted,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

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

  test('license token: an extension refused with AWS text quoting the keepalive\'s own signed request: none of its credentials shown', async () => {
    const lic = await license({ ttlMinutes: 10 }); // 2 s: the keepalive extends within the first second or two
    const out = await licenseManagerClient(emu, ISV).send(new CreateTokenCommand({ LicenseArn: lic.licenseArn, RoleArns: [ROLE], ClientToken: `q-${Date.now()}` }));
    const refresh = out.Token!;
    const quoting = await quotingProxy(Number(new URL(proxy.url).port));
    const env = { ...noKeysEnv(), AWS_ENDPOINT_URL: quoting.url };
    const inputs = { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'license-token': refresh, 'role-arn': ROLE };
    try {
      await checkScenario(async (steps) => {
        const m = await main(steps, inputs, env);
        assert.equal(m.code, 0, m.stdout + m.stderr);
        for (const until = Date.now() + 15_000; quoting.quoted() === 0 && Date.now() < until; ) await delay(100);
        await delay(2_500); // the keepalive records the failure and extends again
        const p = await post(steps, m, inputs, env);
        assert.match(p.stdout, /Keepalive: [1-9]\d* extension\(s\), 1 failure\(s\): \S+ InvalidSignatureException: The request signature we calculated does not match/, p.stdout);
        return [{ what: 'refresh token', value: refresh }];
      });
    } finally {
      await quoting.close();
    }
    assert.equal(quoting.quoted(), 1, 'the keepalive\'s extension was answered with the quoting failure');
  });

  test('the keepalive inherits none of the runner\'s tokens: its environment is an allow-list', async () => {
    const lic = await license();
    const unique = () => randomBytes(18).toString('base64url');
    const runner = {
      ACTIONS_RUNTIME_TOKEN: unique(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: unique(),
      ACTIONS_ID_TOKEN_REQUEST_URL: `https://pipelines.example/oidc?code=${unique()}`, GITHUB_TOKEN: `ghs_${unique()}`,
    };
    const steps: Array<[string, ActionResult]> = [];
    const m = await main(steps, { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, jobEnv(runner));
    assert.equal(m.code, 0, m.stdout + m.stderr);
    const { pid } = (JSON.parse(m.state.consumption!) as { keepalive: { pid: number } }).keepalive;
    // /proc/<pid>/environ reads empty for a moment while a process is being replaced (execve) or set up: read it settled.
    let environ: string[] = [];
    for (let i = 0; i < 40 && environ.length === 0; i++) {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      if (environ.length === 0) await delay(50);
    }
    const names = environ.map((e) => e.slice(0, e.indexOf('=')));
    for (const name of Object.keys(runner)) assert.ok(!names.includes(name), `the keepalive has ${name}`);
    assert.ok(!names.some((n) => n.startsWith('INPUT_') || n.startsWith('STATE_') || n.startsWith('GITHUB_')), names.join(' '));
    assert.deepEqual(findLeaks([{ where: 'keepalive environment', text: environ.join('\n'), masks: [] }], Object.entries(runner).map(([what, value]) => ({ what, value }))), []);
    assert.ok(names.includes('AWS_ACCESS_KEY_ID') && names.includes('AWS_ENDPOINT_URL'), 'what it needs to extend is still there');
    const p = await post(steps, m);
    assert.match(p.stdout, /Checked in/);
  });
});
