import { LICENSE_ARN, ROLE_ARN } from './arn.js';
import { parseDuration } from './duration.js';
import { parseEntitlements, type EntitlementRequest } from './entitlements.js';
import { normaliseMatrix } from './identity.js';
import { InputError } from './input-error.js';
import { CONTROL_CHARS, shown } from './quote.js';
import { looksLikeKeyText } from './token/key-source.js';

export type Mode = 'checkout' | 'borrow';
export type CheckoutType = 'PROVISIONAL' | 'PERPETUAL';

/** Where CheckoutLicense finds the product: by ARN (SKU and fingerprint read with GetLicense) or directly. */
export type LicenseRef = { licenseArn: string } | { productSku: string; keyFingerprint: string; licenseArn?: undefined };

export interface ActionInputs {
  mode: Mode;
  license: LicenseRef;
  entitlements: EntitlementRequest[];
  checkoutType: CheckoutType;
  beneficiary?: string;
  nodeId?: string;
  clientToken?: string;
  checkoutMetadata: Array<{ Name: string; Value: string }>;
  waitTimeoutMs: number;
  keepalive: boolean;
  checkIn: boolean;
  /** Key text (PEM, JWK, base64 DER), never a path. */
  publicKey?: string;
  /** Path of a key file. */
  publicKeyFile?: string;
  kmsKeyId?: string;
  tokenFile?: string;
  licenseToken?: { token: string; roleArn: string; roleSessionName?: string };
  region: string;
  /** `toJSON(matrix)` of the job, part of its identity. */
  matrix?: string;
}

type Get = (name: string) => string;

/** Reads and checks every input before any AWS call, so a typo fails in one line naming the input. */
export function parseInputs(get: Get, env: Readonly<Record<string, string | undefined>>): ActionInputs {
  const opt = (name: string) => singleLine(name, get(name).trim()) || undefined;
  const mode = oneOf(get, 'mode', ['checkout', 'borrow'] as const, 'checkout');
  const checkoutType = oneOf(get, 'checkout-type', ['PROVISIONAL', 'PERPETUAL'] as const, 'PROVISIONAL', true);
  const entitlements = parseEntitlements(get('entitlements'));
  const license = licenseRef(opt, mode);

  if (mode === 'borrow') {
    const optional = entitlements.find((e) => e.optional);
    if (optional) {
      throw new InputError('entitlements', `'${shown(optional.name)}' is marked (optional), but a borrow is all-or-nothing`);
    }
    if (opt('checkout-type') && checkoutType !== 'PROVISIONAL') {
      throw new InputError('checkout-type', 'applies to mode checkout only; a borrow has its own type');
    }
  }

  const clientToken = opt('client-token');
  if (clientToken !== undefined && (clientToken.length > 2048 || /\s/.test(clientToken))) {
    throw new InputError('client-token', 'must be at most 2048 characters without spaces');
  }
  const checkInText = oneOf(get, 'check-in', ['auto', 'true', 'false'] as const, 'auto');
  const checkIn = checkInText === 'auto' ? mode === 'checkout' && checkoutType === 'PROVISIONAL' : checkInText === 'true';
  const keepalive = bool(get, 'keepalive', mode === 'checkout' && checkoutType === 'PROVISIONAL');
  if (keepalive && (mode !== 'checkout' || checkoutType !== 'PROVISIONAL') && opt('keepalive')) {
    throw new InputError('keepalive', 'only a PROVISIONAL checkout can be kept alive');
  }

  const { publicKey, publicKeyFile, kmsKeyId } = keySource(opt, mode);

  const region = opt('aws-region') ?? (env.AWS_REGION?.trim() || undefined) ?? (env.AWS_DEFAULT_REGION?.trim() || undefined);
  if (!region) throw new InputError('aws-region', 'is not set and neither is AWS_REGION nor AWS_DEFAULT_REGION');
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new InputError('aws-region', `'${shown(region)}' is not an AWS region`);

  return {
    mode,
    license,
    entitlements,
    checkoutType,
    beneficiary: opt('beneficiary'),
    nodeId: nodeIdInput(opt('node-id')),
    clientToken,
    checkoutMetadata: metadata(get('checkout-metadata'), mode),
    waitTimeoutMs: parseDuration(get('wait-timeout'), 'wait-timeout'),
    keepalive,
    checkIn,
    publicKey,
    publicKeyFile,
    kmsKeyId,
    tokenFile: opt('token-file'),
    licenseToken: licenseToken(opt),
    region,
    matrix: normaliseMatrix(opt('matrix')),
  };
}

// A PEM key and toJSON(matrix) span lines by nature (the matrix is flattened when parsed);
// client-token has its own stricter rule.
const MULTI_LINE = new Set(['public-key', 'matrix', 'client-token']);

/** Values that end up in log lines and API fields must not smuggle a line break into them. */
function singleLine(name: string, value: string): string {
  if (!MULTI_LINE.has(name) && CONTROL_CHARS.test(value)) throw new InputError(name, 'must be one line without control characters');
  return value;
}

function oneOf<T extends string>(get: Get, name: string, allowed: readonly T[], fallback: T, upper = false): T {
  const raw = get(name).trim();
  if (raw === '') return fallback;
  const value = (upper ? raw.toUpperCase() : raw.toLowerCase()) as T;
  if (!allowed.includes(value)) throw new InputError(name, `'${shown(raw)}' is not one of ${allowed.join(', ')}`);
  return value;
}

function bool(get: Get, name: string, fallback: boolean): boolean {
  const raw = get(name).trim();
  if (raw === '') return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new InputError(name, `'${shown(raw)}' is not true or false`);
}

function licenseRef(opt: (n: string) => string | undefined, mode: Mode): LicenseRef {
  const licenseArn = opt('license-arn');
  const productSku = opt('product-sku');
  const keyFingerprint = opt('key-fingerprint');
  if (licenseArn !== undefined && !LICENSE_ARN.test(licenseArn)) {
    throw new InputError('license-arn', `'${shown(licenseArn)}' is not a license ARN (arn:aws:license-manager::<account>:license:l-<id>)`);
  }
  if (mode === 'borrow') {
    if (!licenseArn) throw new InputError('license-arn', 'is required for mode: borrow');
    if (productSku || keyFingerprint) {
      throw new InputError(productSku ? 'product-sku' : 'key-fingerprint', 'is not used by mode: borrow; give license-arn only');
    }
    return { licenseArn };
  }
  if (licenseArn && productSku) throw new InputError('license-arn', 'give license-arn or product-sku, not both');
  if (licenseArn) {
    if (keyFingerprint) throw new InputError('key-fingerprint', 'is read from the license when license-arn is given; remove it');
    return { licenseArn };
  }
  if (!productSku) throw new InputError('license-arn', 'give license-arn, or product-sku with key-fingerprint');
  if (!keyFingerprint) throw new InputError('key-fingerprint', 'is required with product-sku (e.g. aws:111122223333:Example ISV:issuer-fingerprint)');
  return { productSku, keyFingerprint };
}

/**
 * One source of the issuer's key at most. public-key is only ever key text: were it also tried
 * as a path, a file planted at the path a base64 key spells would replace the pinned key.
 */
function keySource(opt: (n: string) => string | undefined, mode: Mode): Pick<ActionInputs, 'publicKey' | 'publicKeyFile' | 'kmsKeyId'> {
  const publicKey = opt('public-key');
  const publicKeyFile = opt('public-key-file');
  const kmsKeyId = opt('kms-key-id');
  if (publicKey && publicKeyFile) throw new InputError('public-key', 'give public-key or public-key-file, not both');
  if (publicKey && kmsKeyId) throw new InputError('public-key', 'give public-key or kms-key-id, not both');
  if (publicKeyFile && kmsKeyId) throw new InputError('public-key-file', 'give public-key-file or kms-key-id, not both');
  const given = publicKey ? 'public-key' : publicKeyFile ? 'public-key-file' : kmsKeyId ? 'kms-key-id' : undefined;
  if (given && mode !== 'borrow') throw new InputError(given, 'verifies a borrowed token; it needs mode: borrow');
  // Said before the borrow, not after it: a path here would otherwise fail once the seat is taken.
  if (publicKey && !looksLikeKeyText(publicKey)) {
    throw new InputError('public-key', 'is not key text (PEM, JWK or base64 DER); to name a key file, use public-key-file');
  }
  return { publicKey, publicKeyFile, kmsKeyId };
}

function nodeIdInput(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 2048) throw new InputError('node-id', 'must be at most 2048 characters');
  return value;
}

function metadata(text: string, mode: Mode): Array<{ Name: string; Value: string }> {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length > 0 && mode !== 'borrow') throw new InputError('checkout-metadata', 'applies to mode: borrow only');
  return lines.map((line, i) => {
    const eq = line.indexOf('=');
    const name = line.slice(0, eq).trim();
    if (eq < 0 || name === '') throw new InputError('checkout-metadata', `line ${i + 1} is not \`Name=Value\``);
    return { Name: name, Value: line.slice(eq + 1).trim() };
  });
}

function licenseToken(opt: (n: string) => string | undefined): ActionInputs['licenseToken'] {
  const token = opt('license-token');
  const roleArn = opt('role-arn');
  if (!token && !roleArn) return undefined;
  if (!token) throw new InputError('license-token', 'is required with role-arn');
  if (!roleArn) throw new InputError('role-arn', 'is required with license-token (the role the token may assume)');
  if (!ROLE_ARN.test(roleArn)) throw new InputError('role-arn', `'${shown(roleArn)}' is not an IAM role ARN`);
  if (token.length > 4096) throw new InputError('license-token', 'is longer than 4096 characters');
  return { token, roleArn, roleSessionName: opt('role-session-name') };
}
