import { type Unit } from './units.js';
export interface EntitlementRequest {
    name: string;
    /** Decimal string, as the API carries it. */
    value: string;
    unit: Unit;
    optional: boolean;
}
export interface GrantedEntitlement {
    name: string;
    value: string;
    unit: string;
}
/**
 * Parses the `entitlements` grammar: one `NAME = VALUE [UNIT] [(optional)]` per line, or a JSON
 * array of `{Name, Value, Unit, Optional}`. Blank lines and `#` comments are skipped.
 */
export declare function parseEntitlements(text: string, input?: string): EntitlementRequest[];
export interface GrantComparison {
    granted: GrantedEntitlement[];
    missingRequired: EntitlementRequest[];
    missingOptional: EntitlementRequest[];
}
/** Sorts what was asked into granted and missing, matching by name (units and values as granted). */
export declare function compareGrant(asked: readonly EntitlementRequest[], allowed: readonly GrantedEntitlement[]): GrantComparison;
/** `Seats = 1 Count`, for messages. */
export declare function describe(e: {
    name: string;
    value?: string;
    unit?: string;
}): string;
