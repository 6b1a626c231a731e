/**
 * Parses an ISO 8601 date-time strictly: calendar date, `T`, time to the second, optional
 * fraction and zone. A missing zone means UTC, as in every License Manager example. Out-of-range
 * fields (Feb 30, 24:00, 60 s) are refused rather than rolled over as Date would.
 */
export declare function parseIsoTime(text: string): Date | undefined;
/** ISO 8601 in UTC with `Z`, without a fraction when it is zero: what the outputs promise. */
export declare function formatIsoTime(date: Date): string;
