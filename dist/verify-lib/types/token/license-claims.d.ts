import { type Refusal } from './refusal.js';
import { type JsonObject } from './strict-json.js';
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
/** Reads and types the claims; every claim AWS always sends is required. */
export declare function readLicenseClaims(payload: JsonObject): LicenseClaims | Refusal;
