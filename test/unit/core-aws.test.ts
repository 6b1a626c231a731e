import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classifyError } from '../../src/aws/classify-error.js';
import { fullJitterBackoff, patientDelay, ThrottlingAwareRetryStrategy } from '../../src/aws/client-config.js';
import { licenseService } from '../../src/aws/license-manager.js';
import { createTestLicense, TEST_CREDENTIALS, withEmulator } from '../support/emulator.js';
import { isoUtc, parseAwsTime } from '../../src/aws-time.js';
import { explainFailure } from '../../src/explain.js';
import { AwsFailure, type FailureKind } from '../../src/failure.js';

const KINDS: readonly FailureKind[] = ['not-entitled', 'unavailable', 'denied', 'bad-credentials', 'no-credentials', 'misconfigured', 'not-found', 'conflict'];

/** An error shaped like what the SDK throws. */
function sdkError(name: string, message = `${name} happened`, status?: number, code?: string): Error {
  const e = new Error(message) as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
  e.name = name;
  if (status !== undefined) e.$metadata = { httpStatusCode: status };
  if (code !== undefined) e.code = code;
  return e;
}

describe('classifyError', () => {
  test('License Manager, STS and credential errors by name', () => {
    const cases: Array<[string, FailureKind]> = [
      ['NoEntitlementsAllowedException', 'not-entitled'],
      ['EntitlementNotAllowedException', 'not-entitled'],
      ['RateLimitExceededException', 'unavailable'],
      ['ThrottlingException', 'unavailable'],
      ['ServerInternalException', 'unavailable'],
      ['AccessDeniedException', 'denied'],
      ['AuthorizationException', 'denied'],
      ['UnrecognizedClientException', 'bad-credentials'],
      ['InvalidSignatureException', 'bad-credentials'],
      ['ExpiredTokenException', 'bad-credentials'],
      ['CredentialsProviderError', 'no-credentials'],
      ['ValidationException', 'misconfigured'],
      ['InvalidParameterValueException', 'misconfigured'],
      ['RedirectException', 'misconfigured'],
      ['ResourceNotFoundException', 'not-found'],
      ['ConflictException', 'conflict'],
      ['InvalidIdentityToken', 'bad-credentials'],
      ['IDPRejectedClaim', 'denied'],
    ];
    for (const [name, kind] of cases) {
      const f = classifyError('CheckoutLicense', sdkError(name, 'AWS says no', 400));
      assert.ok(f instanceof AwsFailure);
      assert.deepEqual([f.kind, f.operation, f.code, f.message], [kind, 'CheckoutLicense', name, 'AWS says no'], name);
    }
  });

  test('network errors by code are unavailable, with the code', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']) {
      const f = classifyError('GetLicense', sdkError('Error', `connect ${code}`, undefined, code));
      assert.equal(f.kind, 'unavailable');
      assert.equal(f.code, code);
    }
    assert.equal(classifyError('GetLicense', sdkError('TimeoutError', 'timed out')).kind, 'unavailable');
  });

  test('unknown names fall back to the HTTP status', () => {
    assert.equal(classifyError('X', sdkError('Weird', 'm', 429)).kind, 'unavailable');
    assert.equal(classifyError('X', sdkError('Weird', 'm', 503)).kind, 'unavailable');
    assert.equal(classifyError('X', sdkError('Weird', 'm', 401)).kind, 'denied');
    assert.equal(classifyError('X', sdkError('Weird', 'm', 403)).kind, 'denied');
    assert.equal(classifyError('X', sdkError('Weird', 'm', 404)).kind, 'misconfigured');
    assert.equal(classifyError('X', sdkError('Weird', 'm')).kind, 'unavailable');
  });

  test('an AwsFailure passes through unchanged', () => {
    const f = new AwsFailure('denied', 'GetLicense', 'AccessDeniedException', 'no');
    assert.equal(classifyError('Other', f), f);
  });

  test('non-Error throwables still become an AwsFailure with a message', () => {
    const s = classifyError('CheckInLicense', 'boom');
    assert.deepEqual([s.kind, s.code, s.message], ['unavailable', 'Error', 'boom']);
    const n = classifyError('CheckInLicense', null);
    assert.equal(n.message, 'null');
    const o = classifyError('CheckInLicense', { name: 42, message: '' });
    assert.equal(o.code, 'Error');
  });

  const printable = (v: unknown) => {
    try {
      String(v);
      return true;
    } catch {
      return false;
    }
  };

  test('property: any thrown value (that String() can print) becomes an AwsFailure of a known kind', () => {
    fc.assert(
      fc.property(fc.anything().filter(printable), (thrown) => {
        const f = classifyError('Op', thrown);
        assert.ok(f instanceof AwsFailure);
        assert.ok(KINDS.includes(f.kind), String(f.kind));
      }),
      { numRuns: 1000 },
    );
  });

  test(
    'a thrown value String() cannot print still becomes an AwsFailure',
    () => {
      for (const thrown of [Object.create(null) as unknown, { toString: '' }, { name: 'X', message: 5, toString: 1 }]) {
        const f = classifyError('CheckoutLicense', thrown);
        assert.ok(f instanceof AwsFailure);
        assert.equal(typeof f.message, 'string');
      }
    },
  );

  test(
    'an error named like an Object.prototype member is not given a bogus kind',
    () => {
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
        const f = classifyError('CheckoutLicense', sdkError(name, 'odd', 400));
        assert.ok(KINDS.includes(f.kind), `${name} -> ${typeof f.kind}`);
        assert.equal(typeof explainFailure(f, 'the license'), 'string');
      }
    },
  );
});

describe('explainFailure', () => {
  const f = (kind: FailureKind, op = 'CheckoutLicense', code = 'SomeCode') => new AwsFailure(kind, op, code, 'AWS message');

  test('every kind gives one line naming the operation', () => {
    for (const kind of KINDS) {
      const line = explainFailure(f(kind), 'license L');
      assert.equal(typeof line, 'string');
      assert.ok(!line.includes('\n'));
      assert.ok(line.includes('CheckoutLicense'), `${kind}: ${line}`);
    }
  });

  test('denied names the IAM action the role lacks and the subject', () => {
    const line = explainFailure(f('denied', 'GetLicense', 'AccessDeniedException'), 'license arn:x');
    assert.match(line, /lacks license-manager:GetLicense for license arn:x/);
    assert.match(line, /AccessDeniedException/);
    assert.match(line, /AWS said: AWS message/);
    assert.match(explainFailure(f('denied', 'sts:AssumeRoleWithWebIdentity'), 's'), /lacks sts:AssumeRoleWithWebIdentity for/);
  });

  test('no credentials says how to get them', () => {
    const line = explainFailure(f('no-credentials'), 's');
    assert.match(line, /configure-aws-credentials/);
    assert.match(line, /license-token and role-arn/);
  });

  test('unavailable is not a licensing decision; not-found points at ARN and region', () => {
    assert.match(explainFailure(f('unavailable', 'CheckoutLicense', 'RateLimitExceededException'), 's'), /after retries \(RateLimitExceededException\).*not a licensing decision/);
    assert.match(explainFailure(f('not-found'), 'license L'), /license L was not found.*ARN and the region/);
    assert.match(explainFailure(f('bad-credentials', 'X', 'ExpiredTokenException'), 's'), /refused the job's AWS credentials \(ExpiredTokenException\)/);
    assert.match(explainFailure(f('misconfigured', 'X', 'ValidationException'), 'SKU S'), /rejected the request \(ValidationException\) for SKU S: AWS message/);
    assert.match(explainFailure(f('conflict', 'CheckInLicense', 'ConflictException'), 's'), /CheckInLicense was refused \(ConflictException\)/);
    assert.match(explainFailure(f('not-entitled', 'CheckoutLicense', 'NoEntitlementsAllowedException'), 'SKU S'), /not entitled \(NoEntitlementsAllowedException\) to SKU S/);
  });
});

describe('AWS failure text in a line: a code and a redacted message', () => {
  // What services answer a bad signature with: the message quotes the canonical request, which
  // carries the session token, and the string to sign.
  const session = 'IQoJb3JpZ2luX2VjEKn//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3sessionTokenSecretPart0123456789';
  const accessKey = 'ASIAQUOTEDACCESSKEY7';
  const quoting = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n'
    + `The Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:license-manager.us-east-1.amazonaws.com\nx-amz-date:20250301T120000Z\nx-amz-security-token:${session}\n\ncontent-type;host;x-amz-date;x-amz-security-token\n5f2d8c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c'\n\n`
    + `The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20250301T120000Z\n20250301/us-east-1/license-manager/aws4_request\n9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b'\nCredential=${accessKey}/20250301`;
  const fragments = (secret: string) => Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
  const leaks = (line: string) => [session, accessKey].flatMap(fragments).filter((f) => line.includes(f));

  test('a message quoting the canonical request: code and first sentence kept, no fragment of a credential', () => {
    const f = classifyError('CheckInLicense', sdkError('SignatureDoesNotMatch', quoting, 403));
    assert.equal(f.code, 'SignatureDoesNotMatch');
    assert.equal(f.kind, 'bad-credentials');
    assert.match(f.message, /^The request signature we calculated does not match the signature you provided\./);
    assert.deepEqual(leaks(f.message), []);
    assert.ok(!f.message.includes('\n'), 'one line');
    assert.deepEqual(leaks(explainFailure(f, 'the license')), []);
  });

  test('credentials and tokens inside one line are replaced wherever they stand; ARNs, names and codes stay', () => {
    const line = `User arn:aws:sts::111122223333:assumed-role/ci/session is not authorized; token=${session} key ${accessKey} consumption 0cd7b2bc7c674573a669bea8f5b75f2d`;
    const f = classifyError('GetLicense', sdkError('AccessDeniedException', line, 400));
    assert.deepEqual(leaks(f.message), []);
    assert.ok(!f.message.includes('0cd7b2bc7c674573'), f.message);
    assert.match(f.message, /^User arn:aws:sts::111122223333:assumed-role\/ci\/session is not authorized/);
    assert.match(explainFailure(f, 'license arn:aws:license-manager::111122223333:license:l-0123456789abcdef0123456789abcdef'), /license:l-0123456789abcdef0123456789abcdef/);
  });

  test('an AwsFailure made elsewhere is redacted where it becomes a line too', () => {
    const made = new AwsFailure('misconfigured', 'ExtendLicenseConsumption', 'ValidationException', quoting);
    const line = explainFailure(made, 'the license');
    assert.deepEqual(leaks(line), []);
    assert.ok(!line.includes('\n'));
  });

  test('a code that is no code (whatever the service sent as the error type) is not repeated', () => {
    const f = classifyError('CheckoutLicense', sdkError(`Bad\n::error::${session}`, 'm', 400));
    assert.match(f.code, /^[A-Za-z][\w.:-]*$/);
    assert.deepEqual(leaks(f.code), []);
  });

  test('a long message is cut', () => {
    const f = classifyError('GetLicense', sdkError('ValidationException', `${'word '.repeat(400)}end`, 400));
    assert.ok(f.message.length <= 301, `${f.message.length}`);
  });
});

describe('ThrottlingAwareRetryStrategy', () => {
  const info = (name: string, status: number) => {
    const error = Object.assign(new Error('m'), { name, $metadata: { httpStatusCode: status } });
    return { error: error as never, errorType: 'CLIENT_ERROR' as const };
  };

  test('a 400 RateLimitExceededException is retried as throttling; other client errors are not', async () => {
    const strategy = new ThrottlingAwareRetryStrategy(3, () => 0);
    const first = await strategy.acquireInitialRetryToken('license-manager');
    const second = await strategy.refreshRetryTokenForRetry(first, info('RateLimitExceededException', 400));
    assert.equal(second.getRetryCount(), 1);
    await strategy.refreshRetryTokenForRetry(second, info('RateLimitExceededException', 400));
    await assert.rejects(strategy.refreshRetryTokenForRetry(first, info('ValidationException', 400)), /No retry token/);
  });

  test('attempts stay bounded: the third refresh of a 3-attempt strategy is refused', async () => {
    const strategy = new ThrottlingAwareRetryStrategy(3, () => 0);
    let token = await strategy.acquireInitialRetryToken('license-manager');
    token = await strategy.refreshRetryTokenForRetry(token, info('RateLimitExceededException', 400));
    token = await strategy.refreshRetryTokenForRetry(token, info('RateLimitExceededException', 400));
    await assert.rejects(strategy.refreshRetryTokenForRetry(token, info('RateLimitExceededException', 400)), /No retry token/);
  });

  test('against the emulator throttling with 400, every checkout and check-in gets through the SDK\'s retries', async () => {
    await withEmulator({ faults: 'throttle=0.5,seed=11' }, async (emu) => {
      const saved = { ...process.env };
      Object.assign(process.env, { AWS_ENDPOINT_URL: emu.url });
      emu.setFaults(undefined);
      const lic = await createTestLicense(emu, { seats: 20 });
      emu.setFaults('throttle=0.5,seed=11');
      const service = licenseService({ region: emu.region, credentials: TEST_CREDENTIALS, maxAttempts: 10 });
      try {
        for (let i = 0; i < 8; i++) {
          const c = await service.checkout({
            productSku: lic.productSku, keyFingerprint: lic.keyFingerprint, checkoutType: 'PROVISIONAL',
            entitlements: [{ name: 'Seats', value: '1', unit: 'Count', optional: false }], clientToken: `throttled-${i}`, nodeId: 'n', beneficiary: emu.accountId,
          });
          await service.checkIn(c.consumptionToken, emu.accountId);
        }
      } finally {
        service.destroy();
        process.env = saved;
      }
      const stats = emu.stats();
      assert.ok((stats.requests.byOperation.CheckoutLicense?.throttled ?? 0) >= 3, 'the emulator did throttle');
      assert.equal(stats.licenses[lic.licenseArn]?.entitlements.Seats?.consumed, 0);
      assert.equal(stats.events.filter((e) => e.type === 'check-in').length, 8);
    });
  });
});

describe('fullJitterBackoff', () => {
  test('exponential from 200 ms, capped at 5 s, scaled by the random draw', () => {
    assert.equal(fullJitterBackoff(0, () => 0.999999), 199);
    assert.equal(fullJitterBackoff(1, () => 0.5), 200);
    assert.equal(fullJitterBackoff(3, () => 0.5), 800);
    assert.equal(fullJitterBackoff(5, () => 0.999999), 4999);
    assert.equal(fullJitterBackoff(50, () => 0.999999), 4999);
    assert.equal(fullJitterBackoff(2000, () => 0.5), 2500);
    assert.equal(fullJitterBackoff(4, () => 0), 0);
  });

  test('property: always an integer in [0, min(5000, 200 * 2^attempt))', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ms = fullJitterBackoff(attempt, () => r);
        assert.ok(Number.isInteger(ms) && ms >= 0 && ms < Math.min(5000, 200 * 2 ** attempt), `${attempt} ${r} -> ${ms}`);
      }),
    );
  });

  test('uses Math.random by default: values spread out', () => {
    const values = new Set(Array.from({ length: 50 }, () => fullJitterBackoff(10)));
    assert.ok(values.size > 10);
  });
});

describe('parseAwsTime and isoUtc', () => {
  test('zone-less means UTC', () => {
    assert.equal(parseAwsTime('2021-04-14T05:35:47')?.toISOString(), '2021-04-14T05:35:47.000Z');
  });
  test('Z, offsets with and without a colon, fractions', () => {
    assert.equal(parseAwsTime('2021-04-14T05:35:47Z')?.toISOString(), '2021-04-14T05:35:47.000Z');
    assert.equal(parseAwsTime('2021-04-14T05:35:47+05:30')?.toISOString(), '2021-04-14T00:05:47.000Z');
    assert.equal(parseAwsTime('2021-04-14T05:35:47-0200')?.toISOString(), '2021-04-14T07:35:47.000Z');
    assert.equal(parseAwsTime('2021-04-14T05:35:47.123456789Z')?.toISOString(), '2021-04-14T05:35:47.123Z');
    assert.equal(parseAwsTime('2021-04-14T05:35:47.5')?.toISOString(), '2021-04-14T05:35:47.500Z');
    assert.equal(parseAwsTime(' 2021-04-14T05:35:47Z ')?.toISOString(), '2021-04-14T05:35:47.000Z');
    assert.equal(parseAwsTime('2021-04-14T05:35:47+05')?.toISOString(), '2021-04-14T00:35:47.000Z', 'ISO 8601 allows ±hh');
  });
  test('anything else is undefined', () => {
    for (const t of [undefined, '', 'tomorrow', '2021-04-14', '2021-04-14 05:35:47', '2021-13-01T00:00:00', '2021-04-14T25:00:00', '1618378547', '2021-04-14T05:35:47+5', '2021-04-14T05:35:47+24:00']) {
      assert.equal(parseAwsTime(t), undefined, String(t));
    }
  });
  test(
    'a calendar date that does not exist is undefined, not rolled over',
    () => {
      assert.equal(parseAwsTime('2021-02-30T00:00:00'), undefined);
      assert.equal(parseAwsTime('2021-04-31T00:00:00Z'), undefined);
    },
  );
  test('isoUtc drops milliseconds and ends in Z', () => {
    assert.equal(isoUtc(new Date('2021-04-14T05:35:47.987Z')), '2021-04-14T05:35:47Z');
  });
  test('property: isoUtc then parseAwsTime round-trips to the second', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const text = isoUtc(d);
        assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(parseAwsTime(text)?.getTime(), Math.floor(d.getTime() / 1000) * 1000);
      }),
    );
  });
});

describe('ThrottlingAwareRetryStrategy with patience', () => {
  const throttledInfo = () => ({ error: Object.assign(new Error('slow down'), { name: 'RateLimitExceededException' }) as never, errorType: 'CLIENT_ERROR' as const });
  const otherInfo = () => ({ error: Object.assign(new Error('bad'), { name: 'ServerInternalException' }) as never, errorType: 'TRANSIENT' as const });

  test('once its attempts are spent, a throttled call starts a fresh round while patience lasts', async () => {
    const strategy = new ThrottlingAwareRetryStrategy(2, () => 0, 60_000, () => 0);
    let token = await strategy.acquireInitialRetryToken('license-manager');
    token = await strategy.refreshRetryTokenForRetry(token, throttledInfo());
    assert.equal(token.getRetryCount(), 1);
    const fresh = await strategy.refreshRetryTokenForRetry(token, throttledInfo());
    assert.equal(fresh.getRetryCount(), 0, 'a new round, not a refusal');
  });

  test('other errors, no patience, or patience spent: refused as before', async () => {
    const impatient = new ThrottlingAwareRetryStrategy(1, () => 0);
    await assert.rejects(impatient.refreshRetryTokenForRetry(await impatient.acquireInitialRetryToken('s'), throttledInfo()));
    const patient = new ThrottlingAwareRetryStrategy(1, () => 0, 60_000, () => 0);
    await assert.rejects(patient.refreshRetryTokenForRetry(await patient.acquireInitialRetryToken('s'), otherInfo()));
    const spent = new ThrottlingAwareRetryStrategy(1, () => 0, 0, () => 0);
    await assert.rejects(spent.refreshRetryTokenForRetry(await spent.acquireInitialRetryToken('s'), throttledInfo()));
  });

  test('patientDelay: full jitter over a window doubling from 1 s, at most 5 minutes and a quarter of the time left', () => {
    assert.equal(patientDelay(0, 60_000, () => 0.999), 999);
    assert.equal(patientDelay(3, 60_000, () => 0.5), 4_000);
    assert.equal(patientDelay(30, 60_000, () => 0.999), 14_985);
    assert.equal(patientDelay(30, 3_600_000, () => 0.5), 150_000, 'never wider than 5 minutes');
    assert.equal(patientDelay(2, 1_000, () => 0.5), 125);
  });
});
