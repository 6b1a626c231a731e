/**
 * Offline verification of AWS License Manager borrowed tokens, for ISVs to use inside their own
 * Node software: the same code the verify sub-action runs.
 *
 * @example
 * ```ts
 * import { verifyLicenseToken } from 'license-gate/verify';
 * const result = await verifyLicenseToken(token, {
 *   publicKey: pemFromKmsGetPublicKey,
 *   licenseArn: 'arn:aws:license-manager::111122223333:license:l-0123456789abcdef0123456789abcdef',
 *   entitlements: 'Seats = 1 Count',
 * });
 * if (!result.valid) throw new Error(`license refused (${result.code}): ${result.reason}`);
 * ```
 * @packageDocumentation
 */
import type { KeyObject } from 'node:crypto';
import { type VerifyResult } from './token/verify-token.js';
export type { AllowedEntitlement, LicenseClaims } from './token/license-claims.js';
export type { Refusal, RefusalCode } from './token/refusal.js';
export type { VerifiedToken, VerifyResult } from './token/verify-token.js';
export { importPublicKey } from './token/public-key.js';
/** One entitlement the token must grant; `unit` defaults to `Count`. */
export interface RequiredEntitlement {
    name: string;
    /** Absent for a feature (Unit None): then the token need only grant it, whatever its value. */
    value?: string | number;
    unit?: string;
    /** When true, a token without it is still accepted. */
    optional?: boolean;
}
export interface VerifyLicenseTokenOptions {
    /**
     * The issuer's RSA public key (the KMS key the license names as Issuer.SignKey): PEM, JWK JSON,
     * base64 DER SubjectPublicKeyInfo as KMS GetPublicKey returns it, raw DER bytes, or a KeyObject.
     * Text, not a file path: it is never looked up as one (read the file yourself).
     */
    publicKey: string | Uint8Array | KeyObject;
    /** The token must be for exactly this license. */
    licenseArn?: string;
    /** The token must be for exactly this node (CheckoutBorrowLicense NodeId). */
    nodeId?: string;
    /**
     * Entitlements the token must grant, each with at least the value asked and the same unit, or
     * for a feature (a name alone) just granted: the action's grammar (`Seats = 5 Count` and
     * `Premium` lines, or a JSON array) or a list.
     */
    entitlements?: string | readonly RequiredEntitlement[];
    /** Tolerance for clock differences, in milliseconds: at most 1 hour (3,600,000). Default 5 minutes. */
    clockSkewMs?: number;
    /** The time to judge validity at. Default: now. */
    now?: Date;
    /**
     * A file remembering the newest time seen (created 0600, replaced atomically), so that a clock
     * set back is caught rather than reviving an expired token.
     */
    stateFile?: string;
}
/**
 * Verifies a License Manager borrowed token (CheckoutBorrowLicense `SignedToken`): a PS384 JWS
 * whose signature, claims, validity window and grants are all checked offline.
 *
 * Never throws and never rejects: a bad token, key or option is answered with
 * `{ valid: false, code, reason }`, where `code` is stable (see {@link RefusalCode}) and `reason`
 * is one line for people that never contains the token.
 */
export declare function verifyLicenseToken(token: string, options: VerifyLicenseTokenOptions): Promise<VerifyResult>;
