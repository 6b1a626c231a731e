import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LICENSE_ARN, ROLE_ARN } from '../../src/arn.js';
import { InputError } from '../../src/input-error.js';
import { parseInputs, type ActionInputs } from '../../src/inputs.js';

const ARN = 'arn:aws:license-manager::111122223333:license:l-0123456789abcdef0123456789abcdef';
const ROLE = 'arn:aws:iam::111122223333:role/license-gate';
const FP = 'aws:111122223333:Example ISV:issuer-fingerprint';

const INPUT_NAMES = [
  'mode', 'license-arn', 'product-sku', 'key-fingerprint', 'entitlements', 'checkout-type', 'beneficiary', 'node-id',
  'client-token', 'checkout-metadata', 'wait-timeout', 'keepalive', 'check-in', 'public-key', 'public-key-file', 'kms-key-id', 'token-file',
  'license-token', 'role-arn', 'role-session-name', 'aws-region', 'matrix',
] as const;

function parse(inputs: Record<string, string>, env: Record<string, string | undefined> = { AWS_REGION: 'us-east-1' }): ActionInputs {
  return parseInputs((n) => inputs[n] ?? '', env);
}

const checkout = (extra: Record<string, string> = {}) => ({ 'license-arn': ARN, entitlements: 'Seats = 1', ...extra });
const borrow = (extra: Record<string, string> = {}) => ({ mode: 'borrow', 'license-arn': ARN, entitlements: 'Seats = 1', ...extra });

function refused(inputs: Record<string, string>, input: string, pattern: RegExp, env?: Record<string, string | undefined>): void {
  let caught: unknown;
  try {
    parse(inputs, env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InputError, `expected an InputError for ${input}, got ${String(caught)}`);
  assert.equal(caught.input, input, caught.message);
  assert.ok(caught.message.startsWith(`Input '${input}': `), caught.message);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes('\n'), 'one line');
}

describe('parseInputs: defaults', () => {
  test('license-arn + entitlements: a PROVISIONAL checkout with keepalive and check-in', () => {
    const i = parse(checkout());
    assert.equal(i.mode, 'checkout');
    assert.deepEqual(i.license, { licenseArn: ARN });
    assert.deepEqual(i.entitlements, [{ name: 'Seats', value: '1', unit: 'Count', optional: false }]);
    assert.equal(i.checkoutType, 'PROVISIONAL');
    assert.equal(i.keepalive, true);
    assert.equal(i.checkIn, true);
    assert.equal(i.waitTimeoutMs, 0);
    assert.deepEqual(i.checkoutMetadata, []);
    assert.equal(i.region, 'us-east-1');
    for (const k of ['beneficiary', 'nodeId', 'clientToken', 'publicKey', 'publicKeyFile', 'kmsKeyId', 'tokenFile', 'licenseToken', 'matrix'] as const) {
      assert.equal(i[k], undefined, k);
    }
  });

  test('product-sku with key-fingerprint', () => {
    assert.deepEqual(parse({ 'product-sku': 'SKU-1', 'key-fingerprint': FP, entitlements: 'Seats = 1' }).license, { productSku: 'SKU-1', keyFingerprint: FP });
  });

  test('values are trimmed; mode and checkout-type are case-insensitive', () => {
    const i = parse({ mode: ' Checkout ', 'license-arn': `  ${ARN}\n`, entitlements: 'Seats = 1', 'checkout-type': 'perpetual', beneficiary: ' me ' });
    assert.equal(i.mode, 'checkout');
    assert.equal(i.checkoutType, 'PERPETUAL');
    assert.equal(i.beneficiary, 'me');
    assert.deepEqual(i.license, { licenseArn: ARN });
  });

  test('check-in auto: yes for PROVISIONAL, no for PERPETUAL and borrow; explicit values win', () => {
    assert.equal(parse(checkout({ 'check-in': 'auto' })).checkIn, true);
    assert.equal(parse(checkout({ 'checkout-type': 'PERPETUAL' })).checkIn, false);
    assert.equal(parse(borrow()).checkIn, false);
    assert.equal(parse(checkout({ 'check-in': 'false' })).checkIn, false);
    assert.equal(parse(checkout({ 'check-in': 'TRUE', 'checkout-type': 'PERPETUAL' })).checkIn, true);
    assert.equal(parse(borrow({ 'check-in': 'true' })).checkIn, true);
  });

  test('keepalive: default on for PROVISIONAL only; explicit false is always fine', () => {
    assert.equal(parse(checkout()).keepalive, true);
    assert.equal(parse(checkout({ 'checkout-type': 'PERPETUAL' })).keepalive, false);
    assert.equal(parse(borrow()).keepalive, false);
    assert.equal(parse(checkout({ keepalive: 'False' })).keepalive, false);
    assert.equal(parse(borrow({ keepalive: 'false' })).keepalive, false);
    assert.equal(parse(checkout({ keepalive: 'true' })).keepalive, true);
  });

  test('region: the input, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
    assert.equal(parse(checkout({ 'aws-region': 'eu-west-1' }), { AWS_REGION: 'us-east-1' }).region, 'eu-west-1');
    assert.equal(parse(checkout(), { AWS_REGION: 'ap-southeast-2', AWS_DEFAULT_REGION: 'us-west-2' }).region, 'ap-southeast-2');
    assert.equal(parse(checkout(), { AWS_DEFAULT_REGION: 'us-west-2' }).region, 'us-west-2');
    assert.equal(parse(checkout(), { AWS_REGION: '  ', AWS_DEFAULT_REGION: 'us-gov-west-1' }).region, 'us-gov-west-1');
  });

  test('wait-timeout forms', () => {
    assert.equal(parse(checkout({ 'wait-timeout': '0' })).waitTimeoutMs, 0);
    assert.equal(parse(checkout({ 'wait-timeout': '90' })).waitTimeoutMs, 90_000);
    assert.equal(parse(checkout({ 'wait-timeout': '90s' })).waitTimeoutMs, 90_000);
    assert.equal(parse(checkout({ 'wait-timeout': '10m' })).waitTimeoutMs, 600_000);
    assert.equal(parse(checkout({ 'wait-timeout': '1h30m' })).waitTimeoutMs, 5_400_000);
  });

  test('borrow: metadata lines, verification keys, token file', () => {
    const i = parse(borrow({ 'checkout-metadata': '# who\nMac = ABC\n\nHost=build-1=x\n', 'public-key-file': '/keys/pub.pem', 'token-file': '/tmp/t.jwt' }));
    assert.deepEqual(i.checkoutMetadata, [
      { Name: 'Mac', Value: 'ABC' },
      { Name: 'Host', Value: 'build-1=x' },
    ]);
    assert.equal(i.publicKeyFile, '/keys/pub.pem');
    assert.equal(i.publicKey, undefined);
    assert.equal(parse(borrow({ 'public-key': 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A' })).publicKey, 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A');
    assert.equal(i.tokenFile, '/tmp/t.jwt');
    assert.equal(parse(borrow({ 'kms-key-id': 'alias/issuer' })).kmsKeyId, 'alias/issuer');
  });

  test('license-token with role-arn', () => {
    assert.deepEqual(parse(checkout({ 'license-token': 'eyJ.refresh', 'role-arn': ROLE, 'role-session-name': 'ci' })).licenseToken, {
      token: 'eyJ.refresh',
      roleArn: ROLE,
      roleSessionName: 'ci',
    });
  });

  test('client-token, node-id, matrix pass through', () => {
    const i = parse(checkout({ 'client-token': 'abc123', 'node-id': 'my node', matrix: '{"os":"linux"}' }));
    assert.equal(i.clientToken, 'abc123');
    assert.equal(i.nodeId, 'my node');
    assert.equal(i.matrix, 'os=linux', 'flattened to one line');
    assert.equal(parse(checkout({ 'client-token': 'x'.repeat(2048) })).clientToken?.length, 2048);
  });
});

describe('parseInputs: every refusal names its input', () => {
  test('unknown mode, checkout-type, check-in, keepalive', () => {
    refused(checkout({ mode: 'lease' }), 'mode', /'lease' is not one of checkout, borrow/);
    refused(checkout({ 'checkout-type': 'FLOATING' }), 'checkout-type', /'FLOATING' is not one of PROVISIONAL, PERPETUAL/);
    refused(checkout({ 'check-in': 'always' }), 'check-in', /'always' is not one of auto, true, false/);
    refused(checkout({ keepalive: 'yes' }), 'keepalive', /'yes' is not true or false/);
  });

  test('entitlements: missing or malformed', () => {
    refused({ 'license-arn': ARN }, 'entitlements', /is empty/);
    refused(checkout({ entitlements: 'Seats = -1' }), 'entitlements', /not a non-negative decimal/);
    refused(checkout({ entitlements: 'Seats = 1 Apples' }), 'entitlements', /unit 'Apples'/);
  });

  test('both or neither of license-arn and product-sku', () => {
    refused({ entitlements: 'Seats = 1' }, 'license-arn', /give license-arn, or product-sku with key-fingerprint/);
    refused(checkout({ 'product-sku': 'SKU-1', 'key-fingerprint': FP }), 'license-arn', /not both/);
    refused(checkout({ 'product-sku': 'SKU-1' }), 'license-arn', /not both/);
  });

  test('product-sku without key-fingerprint; key-fingerprint with license-arn', () => {
    refused({ 'product-sku': 'SKU-1', entitlements: 'Seats = 1' }, 'key-fingerprint', /is required with product-sku/);
    refused(checkout({ 'key-fingerprint': FP }), 'key-fingerprint', /read from the license/);
  });

  test('bad license ARN', () => {
    for (const bad of ['l-0123', 'arn:aws:license-manager', 'arn:aws:license-manager::111122223333:', 'arn:azure:lm::1:license:l-1', `${ARN} x`]) {
      refused(checkout({ 'license-arn': bad }), 'license-arn', /is not a license ARN/);
    }
  });

  test('borrow: license-arn required, no SKU or fingerprint, no optional entitlements, no checkout-type other than the default', () => {
    refused({ mode: 'borrow', entitlements: 'Seats = 1' }, 'license-arn', /is required for mode: borrow/);
    refused(borrow({ 'product-sku': 'SKU-1' }), 'product-sku', /not used by mode: borrow/);
    refused(borrow({ 'key-fingerprint': FP }), 'key-fingerprint', /not used by mode: borrow/);
    refused(borrow({ entitlements: 'Seats = 1\nGPU = 1 (optional)' }), 'entitlements', /'GPU' is marked \(optional\), but a borrow is all-or-nothing/);
    refused(borrow({ 'checkout-type': 'PERPETUAL' }), 'checkout-type', /mode checkout only/);
  });

  test('keepalive true where it cannot apply', () => {
    refused(checkout({ keepalive: 'true', 'checkout-type': 'PERPETUAL' }), 'keepalive', /only a PROVISIONAL checkout/);
    refused(borrow({ keepalive: 'true' }), 'keepalive', /only a PROVISIONAL checkout/);
  });

  test('client-token with spaces or too long', () => {
    refused(checkout({ 'client-token': 'two words' }), 'client-token', /without spaces/);
    refused(checkout({ 'client-token': 'tab\there' }), 'client-token', /without spaces/);
    refused(checkout({ 'client-token': 'x'.repeat(2049) }), 'client-token', /at most 2048/);
  });

  test('node-id too long', () => {
    refused(checkout({ 'node-id': 'n'.repeat(2049) }), 'node-id', /at most 2048/);
  });

  test('public-key / public-key-file / kms-key-id: one of them, borrow only', () => {
    refused(borrow({ 'public-key': 'pem', 'kms-key-id': 'alias/k' }), 'public-key', /not both/);
    refused(borrow({ 'public-key': 'pem', 'public-key-file': '/keys/pub.pem' }), 'public-key', /^Input 'public-key': give public-key or public-key-file, not both$/);
    refused(borrow({ 'public-key-file': '/keys/pub.pem', 'kms-key-id': 'alias/k' }), 'public-key-file', /^Input 'public-key-file': give public-key-file or kms-key-id, not both$/);
    refused(checkout({ 'public-key': 'pem' }), 'public-key', /needs mode: borrow/);
    refused(checkout({ 'public-key-file': '/keys/pub.pem' }), 'public-key-file', /needs mode: borrow/);
    refused(checkout({ 'kms-key-id': 'alias/k' }), 'kms-key-id', /needs mode: borrow/);
    refused(borrow({ 'public-key-file': '/keys/pub.pem\n::warning::x' }), 'public-key-file', /one line/);
  });

  test('public-key is key text: a path there is refused before any borrow, pointing to public-key-file', () => {
    for (const path of ['/keys/pub.pem', './issuer-key.pem', 'C:\\keys\\k.pem']) {
      refused(borrow({ 'public-key': path }), 'public-key', /is not key text .*; to name a key file, use public-key-file$/);
    }
  });

  test('checkout-metadata: borrow only, Name=Value lines', () => {
    refused(checkout({ 'checkout-metadata': 'A=1' }), 'checkout-metadata', /mode: borrow only/);
    refused(borrow({ 'checkout-metadata': 'A=1\njust text' }), 'checkout-metadata', /line 2 is not `Name=Value`/);
    refused(borrow({ 'checkout-metadata': '=value' }), 'checkout-metadata', /line 1 is not/);
  });

  test('wait-timeout that is not a duration', () => {
    refused(checkout({ 'wait-timeout': 'forever' }), 'wait-timeout', /'forever' is not a duration/);
    refused(checkout({ 'wait-timeout': '-30s' }), 'wait-timeout', /not a duration/);
  });

  test('license-token and role-arn go together; role ARN must be a role', () => {
    refused(checkout({ 'license-token': 'refresh' }), 'role-arn', /is required with license-token/);
    refused(checkout({ 'role-arn': ROLE }), 'license-token', /is required with role-arn/);
    refused(checkout({ 'license-token': 'refresh', 'role-arn': 'arn:aws:iam::111122223333:user/bob' }), 'role-arn', /is not an IAM role ARN/);
    refused(checkout({ 'license-token': 'refresh', 'role-arn': 'arn:aws:iam::1111:role/x' }), 'role-arn', /is not an IAM role ARN/);
    refused(checkout({ 'license-token': 'r'.repeat(4097), 'role-arn': ROLE }), 'license-token', /longer than 4096/);
  });

  test('a refusal never echoes the license token', () => {
    const secret = 'SECRET-refresh-token-value';
    for (const extra of [{ 'role-arn': 'not-a-role' }, { 'role-arn': '' }]) {
      try {
        parse(checkout({ 'license-token': secret, ...extra }));
        assert.fail('expected a refusal');
      } catch (error) {
        assert.ok(error instanceof InputError);
        assert.ok(!error.message.includes(secret), error.message);
      }
    }
  });

  test('region missing or malformed', () => {
    refused(checkout(), 'aws-region', /neither is AWS_REGION nor AWS_DEFAULT_REGION/, {});
    refused(checkout({ 'aws-region': 'US-EAST-1' }), 'aws-region', /'US-EAST-1' is not an AWS region/);
    refused(checkout({ 'aws-region': 'us-east' }), 'aws-region', /not an AWS region/);
    refused(checkout(), 'aws-region', /'mars' is not an AWS region/, { AWS_REGION: 'mars' });
  });
});

describe('ARN patterns', () => {
  test('LICENSE_ARN is the model pattern', () => {
    assert.ok(LICENSE_ARN.test(ARN));
    assert.ok(LICENSE_ARN.test('arn:aws-us-gov:license-manager:us-gov-west-1:111122223333:license:l-1'));
    assert.ok(LICENSE_ARN.test('arn:aws-cn:license-manager::111122223333:license:l-1'));
    assert.ok(!LICENSE_ARN.test('arn:aws:license-manager::111122223333:'));
    assert.ok(!LICENSE_ARN.test(`arn:aws:license-manager::111122223333:license:l-${'x'.repeat(1024)}`));
    assert.ok(!LICENSE_ARN.test('arn:aws:license-manager::111122223333:license:l-1\n'));
  });
  test('ROLE_ARN', () => {
    assert.ok(ROLE_ARN.test(ROLE));
    assert.ok(ROLE_ARN.test('arn:aws:iam::111122223333:role/path/to/Role+=,.@-_'));
    assert.ok(!ROLE_ARN.test('arn:aws:iam::111122223333:role/'));
    assert.ok(!ROLE_ARN.test('arn:aws:sts::111122223333:assumed-role/x/y'));
    assert.ok(!ROLE_ARN.test('arn:aws:iam::111122223333:role/has space'));
  });
});

describe('parseInputs: properties', () => {
  const valid: Record<string, string[]> = {
    mode: ['checkout', 'borrow', 'BORROW'],
    'license-arn': [ARN],
    'product-sku': ['SKU-1'],
    'key-fingerprint': [FP],
    entitlements: ['Seats = 1', 'Seats = 1\nGPU = 1 (optional)', '[{"Name":"Seats","Value":1}]'],
    'checkout-type': ['PROVISIONAL', 'perpetual'],
    'wait-timeout': ['0', '90s', '10m'],
    keepalive: ['true', 'false'],
    'check-in': ['auto', 'true', 'false'],
    'license-token': ['refresh'],
    'role-arn': [ROLE],
    'aws-region': ['us-east-1'],
    'checkout-metadata': ['A=1'],
    'public-key': ['pem'],
    'public-key-file': ['/keys/issuer.pem'],
    'kms-key-id': ['alias/k'],
  };
  const value = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 3, arbitrary: fc.constantFrom(...(valid[name] ?? ['x'])) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    );
  // A valid base, with a few inputs replaced by anything: reaches every check of parseInputs.
  const base = fc.constantFrom<Record<string, string>>(
    { 'license-arn': ARN, entitlements: 'Seats = 1' },
    { 'product-sku': 'SKU-1', 'key-fingerprint': FP, entitlements: 'Seats = 1\nGPU = 2 (optional)' },
    { mode: 'borrow', 'license-arn': ARN, entitlements: '[{"Name":"Seats","Value":"1"}]' },
  );
  const changes = fc.array(fc.constantFrom(...INPUT_NAMES).chain((n) => value(n).map((v) => [n, v] as const)), { maxLength: 4 });
  const inputs = fc.tuple(base, changes).map(([b, c]) => ({ ...b, ...Object.fromEntries(c) }));
  const env = fc.record({
    AWS_REGION: fc.oneof(fc.constant('us-east-1'), fc.constant(undefined), fc.string({ maxLength: 12 })),
    AWS_DEFAULT_REGION: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  });

  test('any inputs: an ActionInputs or one InputError naming a real input; never another exception', () => {
    let accepted = 0;
    fc.assert(
      fc.property(inputs, env, (i, e) => {
        try {
          const out = parseInputs((n) => i[n] ?? '', e);
          accepted++;
          // What is accepted is consistent.
          assert.ok(out.entitlements.length > 0);
          assert.ok(('licenseArn' in out.license && out.license.licenseArn && LICENSE_ARN.test(out.license.licenseArn)) || ('productSku' in out.license && out.license.productSku && out.license.keyFingerprint));
          if (out.mode === 'borrow') assert.ok(out.entitlements.every((x) => !x.optional) && out.license.licenseArn !== undefined);
          if (out.keepalive) assert.ok(out.mode === 'checkout' && out.checkoutType === 'PROVISIONAL');
          if (out.clientToken !== undefined) assert.ok(!/\s/.test(out.clientToken));
          if (out.licenseToken) assert.ok(ROLE_ARN.test(out.licenseToken.roleArn));
          assert.match(out.region, /^[a-z]{2}(-[a-z]+)+-\d+$/);
          assert.ok(Number.isFinite(out.waitTimeoutMs) && out.waitTimeoutMs >= 0);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          assert.ok((INPUT_NAMES as readonly string[]).includes(error.input), error.input);
          assert.ok(error.message.startsWith(`Input '${error.input}': `));
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 300, `only ${accepted} accepted: the generator does not reach the end of parseInputs`);
  });
});
