import type { EntitlementRequest } from '../entitlements.js';
import type { LicenseClaims } from './license-claims.js';
import { type Refusal } from './refusal.js';
export interface Expectations {
    licenseArn?: string;
    nodeId?: string;
    /** Optional ones are not held against the token when it lacks them. */
    entitlements?: readonly EntitlementRequest[];
}
/** Holds the verified claims against what the caller requires; the first shortfall is the reason. */
export declare function checkExpectations(claims: LicenseClaims, expected: Expectations): Refusal | undefined;
