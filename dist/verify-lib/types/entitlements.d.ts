import { type Unit } from './units.js';
export interface EntitlementRequest {
    name: string;
    /** Decimal string, as the API carries it; absent for a feature (Unit None), which is asked for by name. */
    value?: string;
    unit: Unit;
    optional: boolean;
}
/** What AWS granted: a feature's value is the license's own (often a word such as `Enabled`) or absent. */
export interface GrantedEntitlement {
    name: string;
    value?: string;
    unit: string;
}
/**
 * Parses the `entitlements` grammar: one `NAME = VALUE [UNIT] [(optional)]` per line, or a line
 * that is only `NAME [(optional)]` for a feature (Unit None, no Value, as AWS Marketplace tiers
 * are asked for), or a JSON array of `{Name, Value, Unit, Optional}` where a feature has no Value.
 * Blank lines and `#` comments are skipped.
 */
export declare function parseEntitlements(text: string, input?: string): EntitlementRequest[];
export interface GrantComparison {
    granted: GrantedEntitlement[];
    missingRequired: EntitlementRequest[];
    missingOptional: EntitlementRequest[];
}
/** Sorts what was asked into granted and missing, matching by name (units and values as granted). */
export declare function compareGrant(asked: readonly EntitlementRequest[], allowed: readonly GrantedEntitlement[]): GrantComparison;
/** `Seats = 1 Count`, `Premium = Enabled` (a feature with its value), `Premium (feature)`, for messages. */
export declare function describe(e: {
    name: string;
    value?: string;
    unit?: string;
}): string;
