import type { KeyObject } from 'node:crypto';
import { parseDuration } from './duration.js';
import { parseEntitlements } from './entitlements.js';
import { InputError } from './input-error.js';
import { LICENSE_ARN } from './arn.js';
import { shown } from './quote.js';
import { MAX_TOKEN_CHARS } from './token/compact-jws.js';
import { formatIsoTime } from './token/iso-time.js';
import { looksLikeKeyText, readKeyFile } from './token/key-source.js';
import { importPublicKey, toPem } from './token/public-key.js';
import { isRefusal, refuse, type Refusal } from './token/refusal.js';
import { readSmallFile } from './token/small-file.js';
import { MAX_CLOCK_SKEW_MS } from './token/validity.js';
import type { StepIO } from './runner-io.js';
import { verifyToken, type VerifyPolicy, type VerifyResult } from './token/verify-token.js';

export interface VerifyDeps {
  now?: () => Date;
  /** DER SubjectPublicKeyInfo of a KMS key; the default loads the AWS SDK, on this path only. */
  fetchKmsPublicKey?: (keyId: string) => Promise<Uint8Array | { problem: string }>;
}

const DEFAULT_SKEW = '5m';
/** Room for the whitespace around a token (a trailing newline, CRLF); the token itself is held to MAX_TOKEN_CHARS. */
const MAX_TOKEN_FILE_BYTES = MAX_TOKEN_CHARS + 1024;

/** Where the issuer's key comes from: exactly one of them. */
export interface KeySource {
  publicKey?: string | undefined;
  publicKeyFile?: string | undefined;
  kmsKeyId?: string | undefined;
}

/** The verify sub-action: reads its inputs, verifies the token offline, reports. */
export async function verifyAction(io: StepIO, deps: VerifyDeps = {}): Promise<void> {
  try {
    const token = await readToken(io);
    const key = await verificationKey(io, deps);
    const policy = readPolicy(io, deps.now?.() ?? new Date());
    const failOnInvalid = readBoolean(io, 'fail-on-invalid', true);
    const result = isRefusal(token) ? token : await verifyToken(token, key, policy);
    await report(io, result, failOnInvalid);
  } catch (error) {
    io.setFailed(error instanceof InputError ? error.message : `Verification failed: ${(error as Error).message}`);
  }
}

/**
 * The token, masked before anything else can print it. A token file is read only when it is a
 * regular file within the size limit: a FIFO or a device would hang the step, and a huge file would
 * be read whole and echoed into one ::add-mask:: line before the verifier's own limit applied.
 */
async function readToken(io: StepIO): Promise<string | Refusal> {
  const inline = io.getInput('token');
  if (inline) io.setSecret(inline);
  const path = io.getInput('token-file');
  if (inline && path) throw new InputError('token', 'give token or token-file, not both');
  if (inline) return inline;
  if (!path) throw new InputError('token', 'is required (or token-file)');
  const file = readSmallFile(path, MAX_TOKEN_FILE_BYTES);
  switch (file.kind) {
    case 'missing':
      throw new InputError('token-file', `cannot read ${shown(path)} (ENOENT)`);
    case 'error':
      throw new InputError('token-file', `cannot read ${shown(path)} (${file.code})`);
    case 'not-regular':
      throw new InputError('token-file', `${shown(path)} is ${file.what}, not a regular file`);
    case 'too-large':
      // A refusal like any other oversized token, so fail-on-invalid: false still gets valid=false.
      return refuse('token-too-large', `the token file is ${file.size} bytes; a token is at most ${MAX_TOKEN_CHARS} characters`);
  }
  const text = file.bytes.toString('utf8').trim();
  if (text) io.setSecret(text);
  return text;
}

async function verificationKey(io: StepIO, deps: VerifyDeps): Promise<KeyObject> {
  const source = { publicKey: io.getInput('public-key'), publicKeyFile: io.getInput('public-key-file'), kmsKeyId: io.getInput('kms-key-id') };
  return loadVerificationKey(source, deps, (line) => io.info(line));
}

/**
 * The issuer's public key from `public-key` (key text, never a path), `public-key-file`, or,
 * online, from `kms-key-id`; shared with the borrow mode of the root action. Problems are
 * InputErrors naming the input.
 */
export async function loadVerificationKey(
  source: KeySource,
  deps: Pick<VerifyDeps, 'fetchKmsPublicKey'> = {},
  log: (line: string) => void = () => undefined,
): Promise<KeyObject> {
  const { publicKey, publicKeyFile, kmsKeyId } = source;
  if (publicKey && publicKeyFile) throw new InputError('public-key', 'give public-key or public-key-file, not both');
  if (publicKey && kmsKeyId) throw new InputError('public-key', 'give public-key or kms-key-id, not both');
  if (publicKeyFile && kmsKeyId) throw new InputError('public-key-file', 'give public-key-file or kms-key-id, not both');
  if (!publicKey && !publicKeyFile && !kmsKeyId) throw new InputError('public-key', 'is required (or public-key-file, or kms-key-id to fetch it online)');
  const input = publicKey ? 'public-key' : publicKeyFile ? 'public-key-file' : 'kms-key-id';
  let material: string | Uint8Array;
  if (publicKey) {
    material = publicKey;
  } else if (publicKeyFile) {
    const file = readKeyFile(publicKeyFile);
    if ('problem' in file) throw new InputError('public-key-file', file.problem);
    material = file.key;
  } else {
    material = await fetchKmsKey(kmsKeyId ?? '', deps);
  }
  const key = importPublicKey(material);
  if (isRefusal(key)) {
    const hint = key.code === 'key-invalid' && publicKey && !looksLikeKeyText(publicKey.trim()) ? '; to name a key file, use public-key-file' : '';
    throw new InputError(input, `${key.reason} (${key.code})${hint}`);
  }
  if (kmsKeyId) log(`Public key of ${kmsKeyId}; give it as public-key to verify without AWS:\n${toPem(key)}`);
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
    throw new InputError('license-arn', `'${shown(licenseArn)}' is not a License Manager license ARN`);
  }
  const nodeId = io.getInput('node-id') || undefined;
  const entitlementsText = io.getInput('entitlements');
  const stateFile = io.getInput('state-file') || undefined;
  const skewText = io.getInput('clock-skew') || DEFAULT_SKEW;
  const clockSkewMs = parseDuration(skewText, 'clock-skew');
  if (clockSkewMs > MAX_CLOCK_SKEW_MS) {
    throw new InputError('clock-skew', `'${shown(skewText)}' is more than 1h; a larger allowance would accept a token long after it expired`);
  }
  return {
    now,
    clockSkewMs,
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
