import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { clientTokenFor, defaultNodeId, jobIdentity, type JobIdentity } from '../../src/identity.js';
import { jobEnv } from './fakes.js';

describe('jobIdentity and defaultNodeId', () => {
  test('reads the job from the environment', () => {
    const id = jobIdentity(jobEnv());
    assert.deepEqual(id, { repository: 'octo-org/widget', runId: '4242', runAttempt: '1', job: 'build', step: 'license', matrix: undefined });
    assert.equal(defaultNodeId(id), 'octo-org/widget/runs/4242/attempts/1/build');
  });

  test('matrix JSON becomes sorted key=value pairs, whatever the key order', () => {
    const a = jobIdentity(jobEnv(), '{"os":"linux","node":20,"flags":{"x":true}}');
    const b = jobIdentity(jobEnv(), '{\n  "node": 20,\n  "flags": {"x": true},\n  "os": "linux"\n}');
    assert.equal(a.matrix, 'flags={"x":true}, node=20, os=linux');
    assert.equal(b.matrix, a.matrix);
    assert.equal(defaultNodeId(a), 'octo-org/widget/runs/4242/attempts/1/build (flags={"x":true}, node=20, os=linux)');
  });

  test('no matrix: null, {} or empty are all the same as none', () => {
    for (const m of [undefined, '', 'null', '{}']) {
      const id = jobIdentity(jobEnv(), m);
      assert.equal(id.matrix, undefined, String(m));
      assert.equal(defaultNodeId(id), 'octo-org/widget/runs/4242/attempts/1/build');
    }
  });

  test('a matrix that is not a JSON object is used as given (trimmed)', () => {
    assert.equal(jobIdentity(jobEnv(), ' linux-20 ').matrix, 'linux-20');
    assert.equal(jobIdentity(jobEnv(), '[1,2]').matrix, '[1,2]');
  });

  test('outside Actions: sensible fallbacks, never empty', () => {
    const id = jobIdentity({});
    assert.equal(id.repository, 'local');
    assert.equal(id.runId, String(process.pid));
    assert.equal(id.runAttempt, '1');
    assert.equal(id.job, 'job');
    assert.equal(id.step, 'license-gate');
    const empty = jobIdentity({ GITHUB_REPOSITORY: '', GITHUB_JOB: '' });
    assert.equal(empty.repository, 'local');
    assert.equal(empty.job, 'job');
  });
});

describe('clientTokenFor', () => {
  const id: JobIdentity = jobIdentity(jobEnv(), '{"os":"linux"}');

  test('32 lower-case hex characters', () => {
    assert.match(clientTokenFor(id, 'checkout:x', 0), /^[0-9a-f]{32}$/);
  });

  test('stable: the same job, step, purpose and attempt give the same token', () => {
    assert.equal(clientTokenFor(id, 'checkout:x', 0), clientTokenFor({ ...id }, 'checkout:x', 0));
    assert.equal(clientTokenFor(jobIdentity(jobEnv(), '{"os":"linux"}'), 'p', 3), clientTokenFor(jobIdentity(jobEnv(), '{ "os" : "linux" }'), 'p', 3));
  });

  test('differs by attempt, step, matrix, run attempt, job, repository, run and purpose', () => {
    const base = clientTokenFor(id, 'checkout:x', 0);
    const variants = [
      clientTokenFor(id, 'checkout:x', 1),
      clientTokenFor({ ...id, step: 'license2' }, 'checkout:x', 0),
      clientTokenFor({ ...id, matrix: 'os=windows' }, 'checkout:x', 0),
      clientTokenFor({ ...id, matrix: undefined }, 'checkout:x', 0),
      clientTokenFor({ ...id, runAttempt: '2' }, 'checkout:x', 0),
      clientTokenFor({ ...id, job: 'test' }, 'checkout:x', 0),
      clientTokenFor({ ...id, repository: 'octo-org/other' }, 'checkout:x', 0),
      clientTokenFor({ ...id, runId: '4243' }, 'checkout:x', 0),
      clientTokenFor(id, 'borrow:x', 0),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });

  test('fields cannot be shifted into each other', () => {
    assert.notEqual(clientTokenFor({ ...id, repository: 'a/b', job: 'c' }, 'p', 0), clientTokenFor({ ...id, repository: 'a', job: 'b/c' }, 'p', 0));
  });

  test('property: distinct attempts never collide, every token is 32 hex', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(10_000), { minLength: 2, maxLength: 20 }), fc.string(), (attempts, purpose) => {
        const tokens = attempts.map((n) => clientTokenFor(id, purpose, n));
        assert.equal(new Set(tokens).size, tokens.length);
        for (const t of tokens) assert.match(t, /^[0-9a-f]{32}$/);
      }),
    );
  });
});
