// Per-token cost of verifyLicenseToken against a raw node:crypto PS384 verify of the same token:
// the price of the claim, validity and entitlement checks on top of the signature.
import { constants, createPublicKey, verify } from 'node:crypto';
import { verifyLicenseToken } from '../src/verify-lib.js';
import { awsPayload, LICENSE_ARN, publicPem, signToken } from '../test/unit/token-fixtures.js';
import { heading, median, ROUNDS, spread, table } from './lib.js';

const BATCH = Number(process.env.BENCH_VERIFY_BATCH ?? 200);

function rawVerify(token: string, key: ReturnType<typeof createPublicKey>): boolean {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  return verify('sha384', Buffer.from(token.slice(0, dot)), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature);
}

export async function verifyBench(): Promise<void> {
  heading('Verification cost per token (in process)');
  const hour = 3_600_000;
  const at = (offset: number) => new Date(Date.now() + offset).toISOString().replace(/\.\d{3}Z$/, '');
  const token = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }));
  const pem = publicPem();
  const key = createPublicKey(pem);
  const options = { licenseArn: LICENSE_ARN, nodeId: 'runner-7', entitlements: 'Seats = 5' };
  const first = await verifyLicenseToken(token, { publicKey: key, ...options });
  if (!first.valid) throw new Error(`the benchmark token does not verify: ${JSON.stringify(first)}`);
  if (!rawVerify(token, key)) throw new Error('the raw PS384 verify refused the benchmark token');

  const timeBatch = async (one: () => unknown): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < BATCH; i++) await one();
    return ((performance.now() - started) * 1000) / BATCH; // µs per token
  };
  const t = { raw: [] as number[], key: [] as number[], pem: [] as number[] };
  const ratio = { key: [] as number[], pem: [] as number[] };
  for (let round = -2; round < ROUNDS; round++) {
    const raw = await timeBatch(() => rawVerify(token, key));
    const withKey = await timeBatch(() => verifyLicenseToken(token, { publicKey: key, ...options }));
    const withPem = await timeBatch(() => verifyLicenseToken(token, { publicKey: pem, ...options }));
    if (round < 0) continue;
    t.raw.push(raw);
    t.key.push(withKey);
    t.pem.push(withPem);
    ratio.key.push(withKey / raw);
    ratio.pem.push(withPem / raw);
  }
  console.log(`${ROUNDS} rounds of ${BATCH} tokens each variant, interleaved; RSA-2048 PS384 token; median [p25–p75].\n`);
  console.log(
    table(
      ['verifier', 'µs per token', 'ratio to raw verify'],
      [
        ['raw `crypto.verify` PS384 (signature only)', spread(t.raw, 0), '1'],
        ['`verifyLicenseToken`, KeyObject', spread(t.key, 0), spread(ratio.key, 2, '×')],
        ['`verifyLicenseToken`, PEM text (key imported per call)', spread(t.pem, 0), spread(ratio.pem, 2, '×')],
      ],
    ),
  );
  console.log(`\nverifyLicenseToken costs ${median(ratio.key).toFixed(2)}× a bare signature check with a KeyObject, ${median(ratio.pem).toFixed(2)}× with PEM text.`);
}
