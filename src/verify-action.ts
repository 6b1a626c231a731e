import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDuration } from './duration.js';
import { parseEntitlements } from './entitlements.js';
import { InputError } from './input-error.js';
import { LICENSE_ARN } from './arn.js';
import { formatIsoTime } from './token/iso-time.js';
import { readKeyInput } from './token/key-source.js';
import { importPublicKey, toPem } from './token/public-key.js';
import { isRefusal } from './token/refusal.js';
import type { StepIO } from './runner-io.js';
import { verifyToken, type VerifyPolicy, type VerifyResult } from './token/verify-token.js';

export interface VerifyDeps {
  now?: () => Date;
  /** DER SubjectPublicKeyInfo of a KMS key; the default loads the AWS SDK, on this path only. */
  fetchKmsPublicKey?: (keyId: string) => Promise<Uint8Array | { problem: string }>;
}

const DEFAULT_SKEW = '5m';

/** The verify sub-action: reads its inputs, verifies the token offline, reports. */
export async function verifyAction(io: StepIO, deps: VerifyDeps = {}): Promise<void> {
  try {
    const token = await readToken(io);
    const key = await verificationKey(io, deps);
    const policy = readPolicy(io, deps.now?.() ?? new Date());
    const failOnInvalid = readBoolean(io, 'fail-on-invalid', true);
    const result = await verifyToken(token, key, policy);
    await report(io, result, failOnInvalid);
  } catch (error) {
    io.setFailed(error instanceof InputError ? error.message : `Verification failed: ${(error as Error).message}`);
  }
}

/** The token, masked before anything else can print it. */
async function readToken(io: StepIO): Promise<string> {
  const inline = io.getInput('token');
  if (inline) io.setSecret(inline);
  const path = io.getInput('token-file');
  if (inline && path) throw new InputError('token', 'give token or token-file, not both');
  if (inline) return inline;
  if (!path) throw new InputError('token', 'is required (or token-file)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new InputError('token-file', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text) io.setSecret(text);
  return text;
}

async function verificationKey(io: StepIO, deps: VerifyDeps): Promise<KeyObject> {
  const publicKey = io.getInput('public-key');
  const kmsKeyId = io.getInput('kms-key-id');
  if (publicKey && kmsKeyId) throw new InputError('public-key', 'give public-key or kms-key-id, not both');
  if (!publicKey && !kmsKeyId) throw new InputError('public-key', 'is required (or kms-key-id, to fetch it online)');
  return loadVerificationKey({ publicKey, kmsKeyId }, deps, (line) => io.info(line));
}

/**
 * The issuer's public key from `public-key` (inline or a file) or, online, from `kms-key-id`;
 * shared with the borrow mode of the root action. Problems are InputErrors naming the input.
 */
export async function loadVerificationKey(
  source: { publicKey?: string | undefined; kmsKeyId?: string | undefined },
  deps: Pick<VerifyDeps, 'fetchKmsPublicKey'> = {},
  log: (line: string) => void = () => undefined,
): Promise<KeyObject> {
  const input = source.publicKey ? 'public-key' : 'kms-key-id';
  const material = source.publicKey ? readKeyInput(source.publicKey) : await fetchKmsKey(source.kmsKeyId ?? '', deps);
  const key = importPublicKey(material);
  if (isRefusal(key)) throw new InputError(input, `${key.reason} (${key.code})`);
  if (!source.publicKey) log(`Public key of ${source.kmsKeyId}; give it as public-key to verify without AWS:\n${toPem(key)}`);
  return key;
}

async function fetchKmsKey(keyId: string, deps: Pick<VerifyDeps, 'fetchKmsPublicKey'>): Promise<Uint8Array> {
  const fetch = deps.fetchKmsPublicKey ?? (async (id: string) => (await import('./token/kms-public-key.js')).fetchKmsPublicKey(id));
  let answer;
  try {
    answer = await fetch(keyId);
  } catch (error) {
    throw new InputError('kms-key-id', `could not fetch the public key: ${(error as Error).message}`);
  }
  if ('problem' in answer) throw new InputError('kms-key-id', answer.problem);
  return answer;
}

function readPolicy(io: StepIO, now: Date): VerifyPolicy {
  const licenseArn = io.getInput('license-arn') || undefined;
  if (licenseArn !== undefined && !LICENSE_ARN.test(licenseArn)) {
    throw new InputError('license-arn', `'${licenseArn}' is not a License Manager license ARN`);
  }
  const nodeId = io.getInput('node-id') || undefined;
  const entitlementsText = io.getInput('entitlements');
  const stateFile = io.getInput('state-file') || undefined;
  return {
    now,
    clockSkewMs: parseDuration(io.getInput('clock-skew') || DEFAULT_SKEW, 'clock-skew'),
    ...(licenseArn ? { licenseArn } : {}),
    ...(nodeId ? { nodeId } : {}),
    ...(entitlementsText ? { entitlements: parseEntitlements(entitlementsText, 'entitlements') } : {}),
    ...(stateFile ? { stateFile } : {}),
  };
}

function readBoolean(io: StepIO, name: string, fallback: boolean): boolean {
  const text = io.getInput(name).toLowerCase();
  if (text === '') return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new InputError(name, `'${io.getInput(name)}' is not true or false`);
}

async function report(io: StepIO, result: VerifyResult, failOnInvalid: boolean): Promise<void> {
  io.setOutput('valid', String(result.valid));
  io.setOutput('reason', result.reason);
  if (result.valid) {
    const { claims } = result;
    // The consumption token is a secret the payload carries; it is never output, but mask it anyway.
    io.setSecret(claims.licenseConsumptionToken);
    io.setOutput('license-arn', claims.licenseArn);
    io.setOutput('node-id', claims.nodeId ?? '');
    io.setOutput('entitlements', JSON.stringify(claims.entitlementsAllowed));
    io.setOutput('issued-at', formatIsoTime(claims.issuedAt));
    io.setOutput('expiration', formatIsoTime(claims.expiration));
    io.info(`License token verified: ${result.reason}.`);
  } else if (failOnInvalid) {
    io.setFailed(`License token refused (${result.code}): ${result.reason}.`);
  } else {
    io.warning(`License token refused (${result.code}): ${result.reason}.`);
  }
  await io.appendSummary(summary(result)).catch(() => undefined);
}

function summary(result: VerifyResult): string {
  const rows: [string, string][] = [['Result', result.valid ? '✅ valid' : `❌ refused (\`${result.code}\`)`], ['Reason', result.reason]];
  if (result.valid) {
    const { claims } = result;
    rows.push(
      ['License', claims.licenseArn],
      ['Node', claims.nodeId ?? '(none)'],
      ['Entitlements', claims.entitlementsAllowed.map((e) => `${e.name} = ${e.value ?? '-'} ${e.unit}`).join(', ')],
      ['Issued', formatIsoTime(claims.issuedAt)],
      ['Expires', formatIsoTime(claims.expiration)],
    );
  }
  return ['### License token verification', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n');
}

/** Claims come from the token: keep them from breaking out of a table cell or adding HTML. */
function cell(text: string): string {
  return text.replace(/[|\\]/g, '\\$&').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
}
