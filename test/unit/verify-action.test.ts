import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { StepIO } from '../../src/runner-io.js';
import { verifyAction } from '../../src/verify-action.js';
import { awsPayload, NOW, publicPem, rsaKeys, signToken, LICENSE_ARN } from './token-fixtures.js';

/** A recording StepIO; `events` keeps the order in which the step spoke. */
function fakeIO(inputs: Record<string, string>) {
  const events: [string, string][] = [];
  const outputs: Record<string, string> = {};
  const io: StepIO = {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => {
      outputs[name] = value;
      events.push(['output', name]);
    },
    setSecret: (value) => events.push(['secret', value]),
    info: (line) => events.push(['info', line]),
    warning: (line) => events.push(['warning', line]),
    setFailed: (line) => events.push(['failed', line]),
    appendSummary: async (markdown) => void events.push(['summary', markdown]),
  };
  return { io, events, outputs, kinds: () => events.map(([kind]) => kind) };
}

const token = signToken();
const run = (inputs: Record<string, string>, fetchKmsPublicKey?: (id: string) => Promise<Uint8Array>) => {
  const fake = fakeIO(inputs);
  return verifyAction(fake.io, { now: () => NOW, ...(fetchKmsPublicKey ? { fetchKmsPublicKey } : {}) }).then(() => fake);
};

describe('verifyAction', () => {
  test('masks the token before anything else, then reports a valid token', async () => {
    const fake = await run({ token, 'public-key': publicPem(), 'license-arn': LICENSE_ARN, entitlements: 'Seats = 10' });
    assert.deepEqual(fake.events[0], ['secret', token]);
    assert.equal(fake.outputs.valid, 'true');
    assert.equal(fake.outputs['issued-at'], '2026-03-01T11:00:00Z');
    assert.equal(fake.outputs.expiration, '2026-03-02T11:00:00Z');
    assert.equal(fake.kinds().filter((k) => k === 'info').length, 1, 'one log line');
    assert.ok(fake.events.some(([kind, value]) => kind === 'secret' && value === '0cd7b2bc7c674573a669bea8f5b75f2d'));
  });

  test('the summary holds no secret and escapes what the token says', async () => {
    const hostile = signToken(awsPayload({ nodeId: 'a|b\n<script>' }));
    const fake = await run({ token: hostile, 'public-key': publicPem() });
    const summary = fake.events.find(([kind]) => kind === 'summary')![1];
    assert.ok(!summary.includes(hostile.slice(0, 40)) && !summary.includes('0cd7b2bc7c674573a669bea8f5b75f2d'));
    assert.match(summary, /a\\\|b &lt;script>/);
  });

  test('a refused token: one failure line with code and reason, outputs valid and reason only', async () => {
    const fake = await run({ token: signToken(awsPayload(), { alg: 'PS384' }, rsaKeys('another').privateKey), 'public-key': publicPem() });
    assert.deepEqual(Object.keys(fake.outputs).sort(), ['reason', 'valid']);
    const failures = fake.events.filter(([kind]) => kind === 'failed');
    assert.equal(failures.length, 1);
    assert.match(failures[0]![1], /^License token refused \(signature-invalid\): /);
  });

  test('fail-on-invalid false turns the failure into a warning', async () => {
    const fake = await run({ token: 'x.y.z', 'public-key': publicPem(), 'fail-on-invalid': 'FALSE' });
    assert.equal(fake.outputs.valid, 'false');
    assert.deepEqual(fake.kinds().filter((k) => k === 'failed' || k === 'warning'), ['warning']);
  });

  test('kms-key-id: the fetched key verifies, and its PEM is printed for pinning', async () => {
    const asked: string[] = [];
    const fake = await run({ token, 'kms-key-id': 'alias/issuer' }, async (id) => {
      asked.push(id);
      return rsaKeys().publicKey.export({ type: 'spki', format: 'der' });
    });
    assert.deepEqual(asked, ['alias/issuer']);
    assert.equal(fake.outputs.valid, 'true');
    assert.ok(fake.events.some(([kind, line]) => kind === 'info' && line.includes('BEGIN PUBLIC KEY') && line.includes('alias/issuer')));
  });

  test('input problems name the input, in one line', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ token, 'token-file': '/x', 'public-key': publicPem() }, /^Input 'token': give token or token-file/],
      [{ token, 'public-key': publicPem(), 'kms-key-id': 'k' }, /^Input 'public-key': give public-key or kms-key-id/],
      [{ token, 'public-key': '{"kty":"EC"}' }, /^Input 'public-key': .*\(key-not-rsa\)$/],
      [{ token, 'public-key': publicPem(), 'license-arn': 'l-123' }, /^Input 'license-arn'/],
      [{ token, 'public-key': publicPem(), 'clock-skew': '-1' }, /^Input 'clock-skew'/],
    ];
    for (const [inputs, message] of cases) {
      const fake = await run(inputs);
      const failures = fake.events.filter(([kind]) => kind === 'failed');
      assert.equal(failures.length, 1);
      assert.match(failures[0]![1], message);
      assert.equal(fake.outputs.valid, undefined);
    }
  });

  test('clock-skew above one hour is an input error (it would revive expired tokens)', async () => {
    for (const skew of ['61m', '2h', '1h0m1s', '3600001ms']) {
      const fake = await run({ token, 'public-key': publicPem(), 'clock-skew': skew });
      const failures = fake.events.filter(([kind]) => kind === 'failed');
      assert.equal(failures.length, 1, skew);
      assert.match(failures[0]![1], /^Input 'clock-skew': /, skew);
      assert.equal(fake.outputs.valid, undefined, skew);
    }
    assert.equal((await run({ token, 'public-key': publicPem(), 'clock-skew': '1h' })).outputs.valid, 'true');
  });

  test('a KMS failure is one line naming kms-key-id', async () => {
    const fake = await run({ token, 'kms-key-id': 'k' }, async () => {
      throw new Error('boom');
    });
    assert.match(fake.events.find(([kind]) => kind === 'failed')![1], /^Input 'kms-key-id': could not fetch the public key: boom$/);
  });
});

describe('public-key is key text only; a key file is public-key-file (item 1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-verify-key-'));
  const failed = (fake: Awaited<ReturnType<typeof run>>) => fake.events.filter(([kind]) => kind === 'failed').map(([, line]) => line);

  /** A pinned key whose base64 DER is also a relative path that can be created (no name over 255 bytes). */
  function pinnedKeyThatIsAPath(): string {
    for (let i = 0; ; i++) {
      const b64 = rsaKeys(`pinned-${i}`).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      if (b64.split('/').every((name) => name.length > 0 && name.length <= 255)) return b64;
    }
  }

  test('a file planted at the path the base64 key spells does not replace the pinned key', async () => {
    const pinned = pinnedKeyThatIsAPath();
    const attacker = rsaKeys('attacker');
    const workspace = mkdtempSync(join(dir, 'workspace-'));
    mkdirSync(join(workspace, dirname(pinned)), { recursive: true });
    writeFileSync(join(workspace, pinned), publicPem(attacker));
    const forged = signToken(awsPayload(), { alg: 'PS384' }, attacker.privateKey);
    const cwd = process.cwd();
    process.chdir(workspace);
    try {
      const fake = await run({ token: forged, 'public-key': pinned });
      assert.equal(fake.outputs.valid, 'false', 'the planted key verified a forged token');
      assert.match(failed(fake)[0]!, /\(signature-invalid\)/);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a path given as public-key is not read: it is refused, pointing to public-key-file', async () => {
    const path = join(dir, 'issuer.pem');
    writeFileSync(path, publicPem());
    const fake = await run({ token, 'public-key': path });
    assert.equal(fake.outputs.valid, undefined);
    assert.match(failed(fake)[0]!, /^Input 'public-key': .*\(key-invalid\).*public-key-file/);
  });

  test('public-key-file reads PEM, JWK, raw DER and base64 DER files', async () => {
    const { publicKey } = rsaKeys();
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const files: [string, string | Buffer][] = [
      ['issuer.pem', publicPem()],
      ['issuer.jwk', JSON.stringify(publicKey.export({ format: 'jwk' }))],
      ['issuer.der', der],
      ['issuer.b64', `${der.toString('base64')}\n`],
    ];
    for (const [name, content] of files) {
      writeFileSync(join(dir, name), content);
      const fake = await run({ token, 'public-key-file': join(dir, name) });
      assert.equal(fake.outputs.valid, 'true', `${name}: ${failed(fake).join()}`);
    }
  });

  test('one key source only: public-key, public-key-file or kms-key-id', async () => {
    const path = join(dir, 'one.pem');
    writeFileSync(path, publicPem());
    const cases: [Record<string, string>, RegExp][] = [
      [{ token, 'public-key': publicPem(), 'public-key-file': path }, /^Input 'public-key': give public-key or public-key-file, not both$/],
      [{ token, 'public-key-file': path, 'kms-key-id': 'alias/k' }, /^Input 'public-key-file': give public-key-file or kms-key-id, not both$/],
      [{ token }, /^Input 'public-key': is required \(or public-key-file, or kms-key-id/],
      [{ token, 'public-key-file': join(dir, 'absent.pem') }, /^Input 'public-key-file': cannot read .*absent\.pem \(ENOENT\)$/],
      [{ token, 'public-key-file': join(dir, 'one.pem'), 'kms-key-id': '' }, /^$/],
    ];
    for (const [inputs, message] of cases) {
      const lines = failed(await run(inputs));
      if (message.source === '^$') assert.deepEqual(lines, []);
      else assert.match(lines[0] ?? '(no failure)', message);
    }
  });

  test('a private key file is refused naming public-key-file, without echoing it', async () => {
    const path = join(dir, 'private.der');
    const der = rsaKeys().privateKey.export({ type: 'pkcs8', format: 'der' });
    writeFileSync(path, der);
    const lines = failed(await run({ token, 'public-key-file': path }));
    assert.match(lines[0]!, /^Input 'public-key-file': .*\(key-is-private\)$/);
    assert.ok(!lines[0]!.includes(der.toString('base64').slice(0, 12)));
  });
});
