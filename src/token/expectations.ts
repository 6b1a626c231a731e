import type { EntitlementRequest } from '../entitlements.js';
import { compareDecimals, toDecimal } from './decimal.js';
import type { LicenseClaims } from './license-claims.js';
import { quote, refuse, type Refusal } from './refusal.js';

export interface Expectations {
  licenseArn?: string;
  nodeId?: string;
  /** Optional ones are not held against the token when it lacks them. */
  entitlements?: readonly EntitlementRequest[];
}

/** Holds the verified claims against what the caller requires; the first shortfall is the reason. */
export function checkExpectations(claims: LicenseClaims, expected: Expectations): Refusal | undefined {
  if (expected.licenseArn !== undefined && claims.licenseArn !== expected.licenseArn) {
    return refuse('license-arn-mismatch', `the token is for license ${quote(claims.licenseArn)}, not ${quote(expected.licenseArn)}`);
  }
  if (expected.nodeId !== undefined && claims.nodeId !== expected.nodeId) {
    const actual = claims.nodeId === undefined ? 'names no node' : `is for node ${quote(claims.nodeId)}`;
    return refuse('node-id-mismatch', `the token ${actual}, not ${quote(expected.nodeId)}`);
  }
  for (const asked of expected.entitlements ?? []) {
    if (asked.optional) continue;
    const problem = checkEntitlement(claims, asked);
    if (problem) return problem;
  }
  return undefined;
}

/** A feature (no value asked) needs only to be granted; a number asked for needs at least that number, in its unit. */
function checkEntitlement(claims: LicenseClaims, asked: EntitlementRequest): Refusal | undefined {
  const granted = claims.entitlementsAllowed.find((e) => e.name === asked.name);
  const wanted = asked.value === undefined ? 'the feature' : `${asked.value} ${asked.unit}`;
  if (!granted) {
    const names = claims.entitlementsAllowed.map((e) => quote(e.name)).join(', ') || 'none';
    return refuse('entitlement-missing', `the token grants no ${quote(asked.name)} (${wanted} required); it grants ${names}`);
  }
  if (asked.value === undefined) return undefined;
  if (granted.unit !== asked.unit) {
    return refuse('entitlement-unit-mismatch', `the token grants ${quote(asked.name)} in ${quote(granted.unit)}, but ${wanted} is required`);
  }
  const number = granted.value === undefined ? undefined : toDecimal(granted.value);
  if (number === undefined || compareDecimals(number, asked.value) < 0) {
    const has = granted.value === undefined ? 'no value' : number === undefined ? `${quote(granted.value)}, not a number` : `${granted.value} ${granted.unit}`;
    return refuse('entitlement-insufficient', `the token grants ${quote(asked.name)} ${has}; ${wanted} is required`);
  }
  return undefined;
}
