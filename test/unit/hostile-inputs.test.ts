// Hostile input for parseInputs: every input name gets arbitrary values (unicode, control
// characters, newlines, huge strings, workflow-command lookalikes). core-inputs.test.ts checks the
// grammar with mostly well-formed values; here the values are built to break out of log lines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LICENSE_ARN, ROLE_ARN } from '../../src/arn.js';
import { InputError } from '../../src/input-error.js';
import { parseInputs, type ActionInputs } from '../../src/inputs.js';
import { UNITS } from '../../src/units.js';

const ARN = 'arn:aws:license-manager::111122223333:license:l-0123456789abcdef0123456789abcdef';
const ROLE = 'arn:aws:iam::111122223333:role/license-gate';
const FP = 'aws:111122223333:Example ISV:issuer-fingerprint';
const PEM = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----';

const INPUT_NAMES = [
  'mode', 'license-arn', 'product-sku', 'key-fingerprint', 'entitlements', 'checkout-type', 'beneficiary', 'node-id',
  'client-token', 'checkout-metadata', 'wait-timeout', 'keepalive', 'check-in', 'public-key', 'public-key-file', 'kms-key-id', 'token-file',
  'license-token', 'role-arn', 'role-session-name', 'aws-region', 'matrix',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

/** Values each input accepts, so a hostile value elsewhere is reached rather than masked by an early refusal. */
const VALID: Record<InputName, string[]> = {
  mode: ['checkout', 'borrow', 'CHECKOUT'],
  'license-arn': [ARN],
  'product-sku': ['widget-pro'],
  'key-fingerprint': [FP],
  entitlements: ['Seats = 1', 'Seats = 1\nGPU Builds = 1 (optional)', '[{"Name":"Seats","Value":1}]', 'Storage = 2.5 Gigabytes'],
  'checkout-type': ['PROVISIONAL', 'perpetual'],
  beneficiary: ['111122223333'],
  'node-id': ['runner-7'],
  'client-token': ['0123456789abcdef0123456789abcdef'],
  'checkout-metadata': ['Mac=ABC', ''],
  'wait-timeout': ['0', '90s', '1h30m'],
  keepalive: ['true', 'false'],
  'check-in': ['auto', 'true', 'false'],
  'public-key': [PEM],
  'public-key-file': ['/keys/issuer.pem'],
  'kms-key-id': ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  'token-file': ['/tmp/license.jwt'],
  'license-token': ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  'role-arn': [ROLE],
  'role-session-name': ['license-gate'],
  'aws-region': ['us-east-1', 'eu-west-2'],
  matrix: ['{"node":20}', 'null'],
};

const COMMANDS = ['::set-output name=entitled::true', '::add-mask::', '::error::injected', '::warning file=a::injected', '::stop-commands::t0k', '::set-env name=NODE_OPTIONS::--require=/tmp/x', '::debug::x'];
const BREAKS = ['\n', '\r\n', '\r', '\u0085', '\u2028', '%0A'];

/** Strings built to escape a log line, overflow it, or confuse a parser. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...COMMANDS),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...BREAKS), fc.constantFrom(...COMMANDS), fc.string({ maxLength: 10 })).map((p) => p.join('')),
  fc.tuple(fc.constantFrom(...Object.values(VALID).flat()), fc.constantFrom(...BREAKS), fc.constantFrom(...COMMANDS)).map((p) => p.join('')),
  fc.tuple(fc.constantFrom('x', 'é', '🙂', '=', 'Seats = 1\n', '\n::error::x '), fc.integer({ min: 5_000, max: 120_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
  fc.constantFrom('\u0000', '\uFEFFcheckout', '\u202Eborrow', 'checkout\u0000', '${{ secrets.TOKEN }}', '%', '%25%0A', '[', '[{}]', '[{"Name":"__proto__","Value":1}]', '{"constructor":{"prototype":{"x":1}}}'),
);

/** Either a valid value or, sometimes, a hostile one, for every input (empty means "not given"). */
const anyValue = (name: InputName) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 3, arbitrary: fc.constantFrom(...VALID[name]) }, { weight: 2, arbitrary: hostile });

/** A working checkout or borrow with one to three inputs replaced by hostile values. */
const nearlyValid = fc
  .tuple(
    fc.constantFrom<Record<string, string>>(
      { 'license-arn': ARN, entitlements: 'Seats = 1' },
      { 'product-sku': 'widget-pro', 'key-fingerprint': FP, entitlements: 'Seats = 1' },
      { mode: 'borrow', 'license-arn': ARN, entitlements: 'Seats = 1', 'checkout-metadata': 'Mac=ABC' },
      { 'license-arn': ARN, entitlements: 'Seats = 1', 'license-token': 'eyJ0b2tlbiJ9', 'role-arn': ROLE },
    ),
    fc.array(fc.tuple(fc.constantFrom(...INPUT_NAMES), hostile), { minLength: 1, maxLength: 3 }),
  )
  .map(([base, changes]) => ({ ...base, ...Object.fromEntries(changes) }));

const everything = fc.record(Object.fromEntries(INPUT_NAMES.map((n) => [n, anyValue(n)])) as Record<InputName, fc.Arbitrary<string>>);
const inputsArb = fc.oneof(nearlyValid, everything);
const envArb = fc.record({
  AWS_REGION: fc.oneof(fc.constant('us-east-1'), fc.constant(undefined), hostile),
  AWS_DEFAULT_REGION: fc.option(hostile, { nil: undefined }),
});

/** fc.assert, with the counterexample cut short: a 100 kB input must not flood the test report. */
function holds<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts>): void {
  const out = fc.check(property, params);
  if (!out.failed) return;
  const short = JSON.stringify(out.counterexample, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v));
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  assert.fail(`property failed after ${out.numRuns} run(s), seed ${out.seed}: ${cause.slice(0, 400)}\ncounterexample: ${short?.slice(0, 1500)}`);
}

type Outcome = { ok: ActionInputs } | { error: unknown };

function outcome(inputs: Record<string, string>, env: Record<string, string | undefined>): Outcome {
  try {
    return { ok: parseInputs((n) => inputs[n] ?? '', env) };
  } catch (error) {
    return { error };
  }
}

const runs = { numRuns: 400 };
/** What ends a line for the runner (which reads workflow commands line by line). */
const LINE_BREAK = /[\r\n]/;
/** A refusal is one line of reasonable length: a 100 kB input must not become a 100 kB log line. */
const MAX_MESSAGE = 1_000;

describe('hostile inputs: parseInputs', () => {
  test('any values: an ActionInputs or an InputError naming a real input and its reason; nothing else escapes', () => {
    holds(
      fc.property(inputsArb, envArb, (inputs, env) => {
        const r = outcome(inputs, env);
        if ('ok' in r) return;
        assert.ok(r.error instanceof InputError, `escaped: ${r.error instanceof Error ? r.error.stack : String(r.error)}`);
        assert.ok((INPUT_NAMES as readonly string[]).includes(r.error.input), `names '${r.error.input}'`);
        assert.ok(r.error.message.startsWith(`Input '${r.error.input}': `));
        assert.ok(r.error.problem.trim().length > 0, 'the reason is empty');
      }),
      runs,
    );
  });

  test('a refusal never carries a line break, so it cannot start a workflow command', () => {
    holds(
      fc.property(inputsArb, envArb, (inputs, env) => {
        const r = outcome(inputs, env);
        if ('error' in r && r.error instanceof InputError) assert.ok(!LINE_BREAK.test(r.error.message), JSON.stringify(r.error.message.slice(0, 200)));
      }),
      runs,
    );
  });

  test(`a refusal is at most ${MAX_MESSAGE} characters, whatever the size of the input`, () => {
    holds(
      fc.property(inputsArb, envArb, (inputs, env) => {
        const r = outcome(inputs, env);
        if ('error' in r && r.error instanceof InputError) assert.ok(r.error.message.length <= MAX_MESSAGE, `${r.error.message.length} characters: ${r.error.message.slice(0, 80)}`);
      }),
      runs,
    );
  });

  test('what is accepted is well-formed (nothing that should be refused gets through)', () => {
    holds(
      fc.property(inputsArb, envArb, (inputs, env) => {
        const r = outcome(inputs, env);
        if (!('ok' in r)) return;
        const i = r.ok;
        assert.ok(['checkout', 'borrow'].includes(i.mode));
        assert.ok(['PROVISIONAL', 'PERPETUAL'].includes(i.checkoutType));
        assert.match(i.region, /^[a-z]{2}(-[a-z]+)+-\d+$/);
        if (i.license.licenseArn !== undefined) assert.match(i.license.licenseArn, LICENSE_ARN);
        else assert.ok(i.license.productSku.length > 0 && i.license.keyFingerprint.length > 0);
        assert.ok(i.entitlements.length > 0);
        const names = new Set<string>();
        for (const e of i.entitlements) {
          assert.ok(e.name.length > 0 && e.name.length <= 255 && e.name === e.name.trim(), JSON.stringify(e.name));
          assert.ok(!names.has(e.name), 'listed twice');
          names.add(e.name);
          assert.ok((UNITS as readonly string[]).includes(e.unit), e.unit);
          if (e.value === undefined) assert.equal(e.unit, 'None', 'only a feature has no value');
          else assert.match(e.value, /^(?:0|[1-9]\d*)(?:\.\d+)?$/);
          if (e.unit === 'Count') assert.ok(e.value !== undefined && /^\d+$/.test(e.value) && Number(e.value) >= 1);
          if (i.mode === 'borrow') assert.equal(e.optional, false);
        }
        assert.ok(Number.isFinite(i.waitTimeoutMs) && i.waitTimeoutMs >= 0 && i.waitTimeoutMs <= 7 * 24 * 3_600_000, String(i.waitTimeoutMs));
        if (i.clientToken !== undefined) assert.ok(i.clientToken.length <= 2048 && !/\s/.test(i.clientToken));
        if (i.nodeId !== undefined) assert.ok(i.nodeId.length <= 2048);
        if (i.licenseToken) {
          assert.match(i.licenseToken.roleArn, ROLE_ARN);
          assert.ok(i.licenseToken.token.length > 0 && i.licenseToken.token.length <= 4096);
        }
        if (i.mode !== 'borrow') {
          assert.deepEqual(i.checkoutMetadata, []);
          assert.equal(i.publicKey, undefined);
          assert.equal(i.publicKeyFile, undefined);
          assert.equal(i.kmsKeyId, undefined);
        }
        if (i.keepalive) assert.ok(i.mode === 'checkout' && i.checkoutType === 'PROVISIONAL');
        assert.ok([i.publicKey, i.publicKeyFile, i.kmsKeyId].filter(Boolean).length <= 1, 'one key source at most');
        if (i.publicKeyFile !== undefined) assert.ok(!LINE_BREAK.test(i.publicKeyFile));
      }),
      runs,
    );
  });

  test('values the action prints in log lines (entitlements, SKU, fingerprint, node, beneficiary, matrix) are single-line', () => {
    holds(
      fc.property(inputsArb, envArb, (inputs, env) => {
        const r = outcome(inputs, env);
        if (!('ok' in r)) return;
        const i = r.ok;
        const printed = [
          ...i.entitlements.flatMap((e) => [e.name, e.unit, e.value]),
          i.license.licenseArn,
          'productSku' in i.license ? i.license.productSku : undefined,
          'keyFingerprint' in i.license ? i.license.keyFingerprint : undefined,
          i.nodeId,
          i.beneficiary,
          i.matrix,
          i.licenseToken?.roleSessionName,
          i.region,
        ];
        for (const v of printed) if (v !== undefined) assert.ok(!LINE_BREAK.test(v), `accepted ${JSON.stringify(v.slice(0, 120))}`);
      }),
      runs,
    );
  });

  // Known examples of the above, so a fix is checked against the exact inputs that were reported.
  const injected: Array<[string, Record<string, string>]> = [
    ['entitlement name with LF (JSON)', { entitlements: '[{"Name":"Seats\\n::warning::injected","Value":1}]' }],
    ['entitlement name with a lone CR', { entitlements: 'Seats\r::warning::injected = 1' }],
    ['node-id with LF', { 'node-id': 'runner\n::warning::injected' }],
    ['beneficiary with LF', { beneficiary: '111122223333\n::warning::injected' }],
  ];
  for (const [what, extra] of injected) {
    test(`refused: ${what}`, () => {
      const r = outcome({ 'license-arn': ARN, entitlements: 'Seats = 1', ...extra }, { AWS_REGION: 'us-east-1' });
      assert.ok('error' in r && r.error instanceof InputError, `accepted: ${JSON.stringify(extra)}`);
    });
  }

  test('refused without a line break: mode, keepalive, wait-timeout, region with an injected command', () => {
    const cases: Array<Record<string, string>> = [{ mode: 'x\n::set-output name=entitled::true' }, { keepalive: 'yes\r\n::error::x' }, { 'wait-timeout': '5q\n::warning::x' }, { 'aws-region': 'us\n::warning::x' }];
    for (const extra of cases) {
      const r = outcome({ 'license-arn': ARN, entitlements: 'Seats = 1', ...extra }, { AWS_REGION: 'us-east-1' });
      assert.ok('error' in r && r.error instanceof InputError);
      assert.ok(!LINE_BREAK.test(r.error.message), JSON.stringify(r.error.message));
    }
  });
});
