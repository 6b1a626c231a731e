import { LICENSE_ARN } from '../arn.js';
import { toDecimal } from './decimal.js';
import { parseIsoTime } from './iso-time.js';
import { isRefusal, quote, refuse, type Refusal } from './refusal.js';
import { own, type JsonObject } from './strict-json.js';

/** One entitlement the token grants, as AWS writes it (value absent for some `None` entitlements). */
export interface AllowedEntitlement {
  name: string;
  /** As the token wrote it: any string (a feature's is often a word such as `Enabled`), or a number's decimal text. */
  value?: string;
  unit: string;
}

/** The claims of a License Manager borrowed token (CheckoutBorrowLicense's SignedToken). */
export interface LicenseClaims {
  licenseArn: string;
  /** A secret of the consumption: never print it. */
  licenseConsumptionToken: string;
  entitlementsAllowed: AllowedEntitlement[];
  nodeId?: string;
  issuedAt: Date;
  expiration: Date;
  checkoutMetadata?: Record<string, string>;
  /** Standard JWT times, in seconds since the epoch, when the token has them. */
  exp?: number;
  nbf?: number;
  iat?: number;
}

const MAX_ENTITLEMENTS = 1000;
const MAX_TEXT = 2048;
/** The range a Date can hold (±100,000,000 days). */
const MAX_EPOCH_SECONDS = 8.64e12;

type Read<T> = T | Refusal;

/** Reads and types the claims; every claim AWS always sends is required. */
export function readLicenseClaims(payload: JsonObject): LicenseClaims | Refusal {
  const licenseArn = requiredString(payload, 'licenseArn');
  if (typeof licenseArn !== 'string') return licenseArn;
  if (!LICENSE_ARN.test(licenseArn)) return invalid('licenseArn', `${quote(licenseArn)} is not a License Manager license ARN`);
  const licenseConsumptionToken = requiredString(payload, 'licenseConsumptionToken');
  if (typeof licenseConsumptionToken !== 'string') return licenseConsumptionToken;
  const entitlementsAllowed = readEntitlements(own(payload, 'entitlementsAllowed'));
  if (!Array.isArray(entitlementsAllowed)) return entitlementsAllowed;
  const nodeId = own(payload, 'nodeId');
  if (nodeId !== undefined && (typeof nodeId !== 'string' || nodeId.length > MAX_TEXT)) return invalid('nodeId', 'is not a string');
  const issuedAt = requiredTime(payload, 'issuedAt');
  if (!(issuedAt instanceof Date)) return issuedAt;
  const expiration = requiredTime(payload, 'expiration');
  if (!(expiration instanceof Date)) return expiration;
  const checkoutMetadata = readMetadata(own(payload, 'checkoutMetadata'));
  if (isRefusal(checkoutMetadata)) return checkoutMetadata;
  const standard: Pick<LicenseClaims, 'exp' | 'nbf' | 'iat'> = {};
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const value = own(payload, name);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(Math.abs(value) <= MAX_EPOCH_SECONDS)) {
      return invalid(name, 'is not a number of seconds since the epoch');
    }
    standard[name] = value;
  }
  return {
    licenseArn,
    licenseConsumptionToken,
    entitlementsAllowed,
    ...(nodeId === undefined ? {} : { nodeId }),
    issuedAt,
    expiration,
    ...(checkoutMetadata ? { checkoutMetadata } : {}),
    ...standard,
  };
}

function invalid(claim: string, problem: string): Refusal {
  return refuse('claim-invalid', `the claim ${claim} ${problem}`);
}

function requiredString(payload: JsonObject, name: string): Read<string> {
  const value = own(payload, name);
  if (value === undefined) return refuse('claim-missing', `the token has no ${name} claim`);
  if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT) return invalid(name, 'is not a non-empty string');
  return value;
}

function requiredTime(payload: JsonObject, name: string): Read<Date> {
  const text = requiredString(payload, name);
  if (typeof text !== 'string') return text;
  return parseIsoTime(text) ?? invalid(name, `${quote(text)} is not an ISO 8601 date-time`);
}

function readEntitlements(value: unknown): Read<AllowedEntitlement[]> {
  if (value === undefined) return refuse('claim-missing', 'the token has no entitlementsAllowed claim');
  if (!Array.isArray(value)) return invalid('entitlementsAllowed', 'is not an array');
  if (value.length > MAX_ENTITLEMENTS) return invalid('entitlementsAllowed', `lists more than ${MAX_ENTITLEMENTS} entitlements`);
  const out: AllowedEntitlement[] = [];
  const names = new Set<string>();
  for (const [i, item] of value.entries()) {
    const where = `entitlementsAllowed[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return invalid(where, 'is not an object');
    const entry = item as JsonObject;
    const name = own(entry, 'name');
    const unit = own(entry, 'unit');
    const raw = own(entry, 'value');
    if (typeof name !== 'string' || name === '' || name.length > MAX_TEXT) return invalid(`${where}.name`, 'is not a non-empty string');
    if (typeof unit !== 'string' || unit === '' || unit.length > MAX_TEXT) return invalid(`${where}.unit`, 'is not a non-empty string');
    // Any string: a value is compared as a number only where an expectation names a number.
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? toDecimal(raw) : undefined;
    if (raw !== undefined && (text === undefined || text.length > MAX_TEXT)) return invalid(`${where}.value`, `${quote(raw)} is neither a string nor a non-negative number`);
    // Two grants under one name would make "at least N" ambiguous.
    if (names.has(name)) return invalid('entitlementsAllowed', `lists ${quote(name)} twice`);
    names.add(name);
    out.push(text === undefined ? { name, unit } : { name, value: text, unit });
  }
  return out;
}

function readMetadata(value: unknown): Record<string, string> | Refusal | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  return ok ? (value as Record<string, string>) : invalid('checkoutMetadata', 'is not an object of strings');
}
