/** The units License Manager accepts for an entitlement (its EntitlementUnit / EntitlementDataUnit enum). */
export declare const UNITS: readonly ["Count", "None", "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second"];
export type Unit = (typeof UNITS)[number];
/** The canonical spelling of a unit, matched case-insensitively; undefined when AWS has no such unit. */
export declare function canonicalUnit(text: string): Unit | undefined;
