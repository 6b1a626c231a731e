import { type KeyObject } from 'node:crypto';
import { type Expectations } from './expectations.js';
import { type LicenseClaims } from './license-claims.js';
import { type Refusal } from './refusal.js';
export interface VerifiedToken {
    valid: true;
    code: 'valid';
    reason: string;
    claims: LicenseClaims;
}
export type VerifyResult = VerifiedToken | Refusal;
export interface VerifyPolicy extends Expectations {
    now: Date;
    clockSkewMs: number;
    /** Path of the file remembering the newest time seen; omitted: no clock-set-back protection. */
    stateFile?: string;
}
/**
 * Verifies a License Manager borrowed token against an RSA public key (see importPublicKey).
 * Order matters: structure and header first, then the signature, and only then is anything in
 * the payload read. Never throws for a bad token.
 */
export declare function verifyToken(token: unknown, key: KeyObject, policy: VerifyPolicy): Promise<VerifyResult>;
