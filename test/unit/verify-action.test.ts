import assert from 'node:assert/strict';
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

  test('a KMS failure is one line naming kms-key-id', async () => {
    const fake = await run({ token, 'kms-key-id': 'k' }, async () => {
      throw new Error('boom');
    });
    assert.match(fake.events.find(([kind]) => kind === 'failed')![1], /^Input 'kms-key-id': could not fetch the public key: boom$/);
  });
});
