// Hostile input for the token verifier, beyond token-properties.test.ts (which covers malformed
// tokens, headers, keys and tampering): properly signed tokens whose claims are built to break
// out of log lines, and hostile verification options. Whatever comes in, the verifier answers
// (never throws), names its reason in one line of bounded size, never echoes the consumption
// token, and never accepts what the options say to refuse.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { verifyLicenseToken, type VerifyResult, type VerifyLicenseTokenOptions } from '../../src/verify-lib.js';
import { awsPayload, LICENSE_ARN, NOW, rsaKeys, signToken } from './token-fixtures.js';

const publicKey = rsaKeys().publicKey;
const CONSUMPTION_TOKEN = 'f00dfeed0123456789abcdef01234567';
/** What ends a line for the runner (which reads workflow commands line by line). */
const LINE_BREAK = /[\r\n]/;
const MAX_REASON = 1_000;
const COMMANDS = ['::set-output name=valid::true', '::add-mask::x', '::error::injected', '::stop-commands::t0k'];

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r', '\u2028'), fc.constantFrom(...COMMANDS)).map((p) => p.join('')),
  fc.tuple(fc.constantFrom('x', '🙂', '\n::error::x '), fc.integer({ min: 3_000, max: 60_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
);

/** fc.assert with the counterexample cut short (some inputs are 60 kB). */
async function holds<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts>): Promise<void> {
  const out = await fc.check(property, params);
  if (!out.failed) return;
  const short = JSON.stringify(out.counterexample, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v));
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  assert.fail(`property failed after ${out.numRuns} run(s), seed ${out.seed}: ${cause.slice(0, 400)}\ncounterexample: ${short?.slice(0, 1500)}`);
}

function assertAnswer(result: VerifyResult): void {
  assert.ok(result.code.length > 0);
  assert.ok(result.reason.trim().length > 0, 'a reason is given');
  assert.ok(!LINE_BREAK.test(result.reason), `line break in ${JSON.stringify(result.reason.slice(0, 200))}`);
  assert.ok(result.reason.length <= MAX_REASON, `${result.reason.length} characters`);
  assert.ok(!result.reason.includes(CONSUMPTION_TOKEN.slice(4, 16)), 'the consumption token is echoed');
}

const verify = (token: string, options: Partial<VerifyLicenseTokenOptions> = {}) => verifyLicenseToken(token, { publicKey, now: NOW, ...options });

/** A valid AWS payload with hostile claim values. */
const hostileClaims = fc.record(
  {
    licenseArn: fc.oneof(hostile, hostile.map((h) => `${LICENSE_ARN}${h}`)),
    nodeId: hostile,
    name: hostile,
    unit: hostile,
    metadata: hostile,
  },
  { requiredKeys: [] },
);

describe('hostile token claims (properly signed)', () => {
  test('hostile claims: refused or accepted, always in one bounded line without the consumption token', async () => {
    await holds(
      fc.asyncProperty(hostileClaims, async (c) => {
        const payload = awsPayload({
          licenseConsumptionToken: CONSUMPTION_TOKEN,
          ...(c.licenseArn !== undefined ? { licenseArn: c.licenseArn } : {}),
          ...(c.nodeId !== undefined ? { nodeId: c.nodeId } : {}),
          ...(c.name !== undefined || c.unit !== undefined ? { entitlementsAllowed: [{ name: c.name ?? 'Seats', value: '10', unit: c.unit ?? 'Count' }] } : {}),
          ...(c.metadata !== undefined ? { checkoutMetadata: { Mac: c.metadata } } : {}),
        });
        // Expectations that only the untouched fixture meets, so the hostile values end up in reasons.
        assertAnswer(await verify(signToken(payload), { licenseArn: LICENSE_ARN, nodeId: 'runner-7', entitlements: 'Seats = 1' }));
      }),
      { numRuns: 150 },
    );
  });

  test('a node, license or entitlement the options require is never accepted when the token differs', async () => {
    await holds(
      fc.asyncProperty(hostile, hostile, async (claimed, expected) => {
        fc.pre(claimed !== expected && expected.length > 0);
        const token = signToken(awsPayload({ licenseConsumptionToken: CONSUMPTION_TOKEN, nodeId: claimed }));
        const r = await verify(token, { nodeId: expected });
        assert.equal(r.valid, false);
        assertAnswer(r);
        const e = await verify(signToken(awsPayload({ entitlementsAllowed: [{ name: claimed, value: '1', unit: 'Count' }] })), {
          entitlements: [{ name: `${claimed}x`, value: 1 }],
        });
        assert.equal(e.valid, false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hostile verification options', () => {
  const good = signToken(awsPayload({ licenseConsumptionToken: CONSUMPTION_TOKEN }));

  test('any entitlements, licenseArn, nodeId, clockSkewMs and now: an answer, never a throw', async () => {
    await holds(
      fc.asyncProperty(
        fc.record(
          {
            entitlements: fc.oneof(hostile, fc.constant('Seats = 1'), hostile.map((h) => `[{"Name":${JSON.stringify(h)},"Value":1}]`)),
            licenseArn: hostile,
            nodeId: hostile,
            clockSkewMs: fc.double(),
            now: fc.date({ noInvalidDate: false }),
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          let result: VerifyResult | undefined;
          await assert.doesNotReject(async () => {
            result = await verify(good, options);
          });
          assert.ok(result && result.code.length > 0 && result.reason.trim().length > 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the answer to hostile options is one bounded line', async () => {
    await holds(
      fc.asyncProperty(
        fc.oneof(hostile, hostile.map((h) => `[{"Name":${JSON.stringify(h)},"Value":1},{"Name":${JSON.stringify(h)},"Value":1}]`), hostile.map((h) => `[{"Name":"Seats","Value":1,"Unit":${JSON.stringify(h)}}]`)),
        async (entitlements) => assertAnswer(await verify(good, { entitlements })),
      ),
      { numRuns: 200 },
    );
  });

  test('the verifier of a valid token with satisfied options says valid in one line', async () => {
    const r = await verify(good, { licenseArn: LICENSE_ARN, nodeId: 'runner-7', entitlements: 'Seats = 10\nStorage = 2.5 Gigabytes' });
    assert.equal(r.valid, true, r.reason);
    assertAnswer(r);
  });
});
