// The verify sub-action as the runner runs it, with no AWS endpoint and no credentials at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { newJob, NODE24, parseFileCommand, ROOT, runAction, type ActionResult } from '../support/run-action.js';
import { awsPayload, publicPem, rsaKeys, signToken, LICENSE_ARN } from '../unit/token-fixtures.js';

const hour = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, '');
const liveToken = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }));
const expiredToken = signToken(awsPayload({ issuedAt: at(-48 * hour), expiration: at(-24 * hour) }));
const dir = mkdtempSync(join(tmpdir(), 'lg-verify-e2e-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const pem = publicPem();
const der = rsaKeys().publicKey.export({ type: 'spki', format: 'der' });
const jwk = JSON.stringify(rsaKeys().publicKey.export({ format: 'jwk' }));

function verify(inputs: Record<string, string>, job = newJob()): Promise<ActionResult> {
  // No env override: the harness gives only PATH, HOME, RUNNER_TEMP and GITHUB_*; no AWS_* at all.
  // The step runs in the job folder, as a step runs in the workspace.
  return runAction('verify', { inputs, job, timeoutMs: 20_000 });
}

/** Everything the step left for people to see, minus the mask commands that hide the token. */
function visible(result: ActionResult): string {
  const stdout = result.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
  const outputs = Object.entries(result.outputs).map(([k, v]) => `${k}=${v}`).join('\n');
  return [stdout, result.stderr, result.summary, outputs].join('\n');
}

function assertTokenNeverShown(result: ActionResult, token: string): void {
  const text = visible(result);
  for (let i = 0; i + 12 <= token.length; i += 6) assert.ok(!text.includes(token.slice(i, i + 12)), `token fragment at ${i} is visible`);
  assert.ok(result.masks.includes(token), 'the token is masked');
}

describe('verify sub-action (dist/verify, Node 24, offline)', () => {
  test('a valid token: outputs, one log line, summary', async () => {
    const r = await verify({ token: liveToken, 'public-key': pem, 'license-arn': LICENSE_ARN, 'node-id': 'runner-7', entitlements: 'Seats = 5\nStorage = 2 Gigabytes' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '', 'nothing on stderr (no Node warnings)');
    assert.equal(r.outputs.valid, 'true');
    assert.equal(r.outputs['license-arn'], LICENSE_ARN);
    assert.equal(r.outputs['node-id'], 'runner-7');
    assert.deepEqual(JSON.parse(r.outputs.entitlements!), [
      { name: 'Seats', value: '10', unit: 'Count' },
      { name: 'Storage', value: '2.5', unit: 'Gigabytes' },
    ]);
    assert.match(r.outputs['issued-at']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(r.outputs.expiration!, /Z$/);
    assert.match(r.outputs.reason!, /valid until/);
    assert.match(r.stdout, /License token verified/);
    assert.match(r.summary, /License token verification/);
    assertTokenNeverShown(r, liveToken);
  });

  test('an invalid token fails the step with the reason, and never shows the token', async () => {
    const r = await verify({ token: expiredToken, 'public-key': pem });
    assert.equal(r.code, 1);
    assert.equal(r.outputs.valid, 'false');
    assert.match(r.outputs.reason!, /expired/);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /License token refused \(expired\)/);
    assert.equal(r.outputs['license-arn'], undefined);
    assertTokenNeverShown(r, expiredToken);
  });

  test('fail-on-invalid false: the step passes, valid=false, a warning', async () => {
    const r = await verify({ token: expiredToken, 'public-key': pem, 'fail-on-invalid': 'false' });
    assert.equal(r.code, 0);
    assert.equal(r.outputs.valid, 'false');
    assert.equal(r.warnings.length, 1);
    assertTokenNeverShown(r, expiredToken);
  });

  test('a token from token-file', async () => {
    const r = await verify({ 'token-file': file('token.jwt', `${liveToken}\n`), 'public-key': pem });
    assert.equal(r.outputs.valid, 'true', r.stdout);
    assertTokenNeverShown(r, liveToken);
  });

  const keys: [string, Record<string, string>][] = [
    ['inline PEM', { 'public-key': pem }],
    ['inline JWK', { 'public-key': jwk }],
    ['inline base64 DER (as KMS GetPublicKey)', { 'public-key': der.toString('base64') }],
    ['PEM file', { 'public-key-file': file('issuer.pem', pem) }],
    ['JWK file', { 'public-key-file': file('issuer.jwk', jwk) }],
    ['raw DER file', { 'public-key-file': file('issuer.der', der) }],
    ['base64 DER file', { 'public-key-file': file('issuer.b64', der.toString('base64')) }],
  ];
  for (const [name, key] of keys) {
    test(`public key as ${name}`, async () => {
      const r = await verify({ token: liveToken, ...key });
      assert.equal(r.outputs.valid, 'true', r.stdout);
    });
  }

  test('a file planted in the workspace at the path the pinned base64 key spells does not replace it', async () => {
    let pinned = '';
    for (let i = 0; !pinned; i++) {
      const b64 = rsaKeys(`pinned-${i}`).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      if (b64.split('/').every((name) => name.length > 0 && name.length <= 255)) pinned = b64;
    }
    const attacker = rsaKeys('attacker');
    const job = newJob();
    mkdirSync(join(job.dir, dirname(pinned)), { recursive: true });
    writeFileSync(join(job.dir, pinned), publicPem(attacker));
    const forged = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }), { alg: 'PS384' }, attacker.privateKey);
    const r = await verify({ token: forged, 'public-key': pinned }, job);
    assert.equal(r.outputs.valid, 'false', 'the planted key verified a forged token');
    assert.match(r.errors[0] ?? '', /\(signature-invalid\)/);
  });

  test('public-key is never read as a path; public-key and public-key-file together are an input error', async () => {
    const path = file('pinned.pem', pem);
    const asPath = await verify({ token: liveToken, 'public-key': path });
    assert.equal(asPath.code, 1);
    assert.match(asPath.errors[0]!, /^Input 'public-key': .*\(key-invalid\); to name a key file, use public-key-file$/);
    const both = await verify({ token: liveToken, 'public-key': pem, 'public-key-file': path });
    assert.deepEqual(both.errors, ["Input 'public-key': give public-key or public-key-file, not both"]);
  });

  test('hostile token files are refused at once, and never echoed into ::add-mask::', async () => {
    const fifo = join(dir, 'token.fifo');
    execFileSync('mkfifo', [fifo]);
    const huge = file('huge.jwt', '');
    truncateSync(huge, 100 * 2 ** 20);
    const cases: [string, RegExp][] = [
      [fifo, /^Input 'token-file': .*token\.fifo is a FIFO, not a regular file$/],
      ['/dev/zero', /^Input 'token-file': \/dev\/zero is a character device, not a regular file$/],
      [huge, /^License token refused \(token-too-large\): the token file is 104857600 bytes; a token is at most 65536 characters\.$/],
    ];
    for (const [path, message] of cases) {
      const r = await verify({ 'token-file': path, 'public-key': pem });
      assert.equal(r.signal, null, `${path}: the step hung`);
      assert.equal(r.code, 1);
      assert.equal(r.errors.length, 1, r.stdout.slice(0, 300));
      assert.match(r.errors[0]!, message);
      assert.deepEqual(r.masks, [], 'nothing was masked: nothing was read');
      assert.ok(r.stdout.length < 10_000, `${r.stdout.length} characters of output`);
      assert.ok(r.durationMs < 5_000, `${r.durationMs} ms`);
    }
  });

  test('clock-skew above one hour is an input error', async () => {
    const r = await verify({ token: expiredToken, 'public-key': pem, 'clock-skew': '48h' });
    assert.equal(r.code, 1);
    assert.equal(r.outputs.valid, undefined);
    assert.match(r.errors[0]!, /^Input 'clock-skew': '48h' is more than 1h/);
  });

  test('a refusal past the signature records the time too; a link as state file is refused and left alone', async () => {
    const stateFile = join(dir, 'state-refusal', 'verify.json');
    const r = await verify({ token: expiredToken, 'public-key': pem, 'state-file': stateFile, 'fail-on-invalid': 'false' });
    assert.match(r.outputs.reason!, /expired/);
    assert.ok(existsSync(stateFile), 'the refusal left no record: setting the clock back would revive the token');
    const seen = Date.parse((JSON.parse(readFileSync(stateFile, 'utf8')) as { newestSeen: string }).newestSeen);
    assert.ok(Math.abs(seen - Date.now()) < 60_000);
    const link = join(dir, 'state-link.json');
    symlinkSync(stateFile, link);
    const linked = await verify({ token: liveToken, 'public-key': pem, 'state-file': link, 'fail-on-invalid': 'false' });
    assert.equal(linked.outputs.valid, 'false');
    assert.match(linked.outputs.reason!, /is a symbolic link; it must be a regular file or missing/);
    assert.equal(readlinkSync(link), stateFile);
  });

  test('the state file records the newest time, 0600', async () => {
    const stateFile = join(dir, 'state', 'verify.json');
    const r = await verify({ token: liveToken, 'public-key': pem, 'state-file': stateFile });
    assert.equal(r.outputs.valid, 'true', r.stdout);
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    const seen = Date.parse((JSON.parse(readFileSync(stateFile, 'utf8')) as { newestSeen: string }).newestSeen);
    assert.ok(Math.abs(seen - Date.now()) < 60_000);
    writeFileSync(stateFile, JSON.stringify({ newestSeen: at(2 * hour) + 'Z' }));
    const back = await verify({ token: liveToken, 'public-key': pem, 'state-file': stateFile });
    assert.equal(back.outputs.valid, 'false');
    assert.match(back.outputs.reason!, /set back/);
  });

  test('bad inputs fail with one line naming the input', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'public-key': pem }, /Input 'token'/],
      [{ token: liveToken }, /Input 'public-key': is required \(or public-key-file, or kms-key-id/],
      [{ token: liveToken, 'public-key-file': join(dir, 'absent.pem') }, /Input 'public-key-file': cannot read .*absent\.pem \(ENOENT\)/],
      [{ token: liveToken, 'public-key': 'not a key' }, /Input 'public-key'/],
      [{ token: liveToken, 'public-key': publicPem(rsaKeys('small', 1024)) }, /Input 'public-key'.*1024 bits/],
      [{ token: liveToken, 'public-key': pem, 'clock-skew': 'soon' }, /Input 'clock-skew'/],
      [{ token: liveToken, 'public-key': pem, entitlements: 'Seats = some' }, /Input 'entitlements'/],
      [{ token: liveToken, 'public-key': pem, 'fail-on-invalid': 'maybe' }, /Input 'fail-on-invalid'/],
      [{ 'token-file': join(dir, 'absent'), 'public-key': pem }, /Input 'token-file'/],
    ];
    for (const [inputs, message] of cases) {
      const r = await verify(inputs);
      assert.equal(r.code, 1);
      assert.equal(r.errors.length, 1, r.stdout);
      assert.match(r.errors[0]!, message);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  test('with a public key, the bundle never loads the AWS SDK (it runs with only its static imports)', () => {
    const alone = join(dir, 'alone');
    mkdirSync(alone);
    const all = readdirSync(join(ROOT, 'dist/verify')).filter((f) => f.endsWith('.js'));
    const needed = staticClosure(join(ROOT, 'dist/verify'), 'index.js');
    const sdk = all.filter((f) => /TrentService|aws-sdk-js/.test(readFileSync(join(ROOT, 'dist/verify', f), 'utf8')));
    assert.ok(sdk.length > 0, 'the bundle has SDK chunks (for kms-key-id)');
    assert.deepEqual(needed.filter((f) => sdk.includes(f)), [], 'no SDK chunk is imported statically');
    for (const f of [...needed, 'package.json']) copyFileSync(join(ROOT, 'dist/verify', f), join(alone, f));
    const output = join(dir, 'alone-output');
    writeFileSync(output, '');
    execFileSync(NODE24, [join(alone, 'index.js')], {
      env: { PATH: process.env.PATH ?? '', INPUT_TOKEN: liveToken, 'INPUT_PUBLIC-KEY': pem, GITHUB_OUTPUT: output },
      stdio: 'pipe',
    });
    assert.equal(parseFileCommand(output).valid, 'true');
  });
});

/** The files an ES module bundle imports statically from its own folder (dynamic import() excluded), itself included. */
function staticClosure(folder: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(join(folder, file), 'utf8').matchAll(/\bimport\s*(?:[\w${},\s*]+from\s*)?["']\.\/([^"']+)["']/g)) visit(spec!);
  };
  visit(entry);
  return [...seen];
}
