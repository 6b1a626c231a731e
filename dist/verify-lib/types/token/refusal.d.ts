/**
 * Why a token was refused. Codes are stable (scripts and ISVs branch on them); reasons are for
 * people and may change wording.
 */
export type RefusalCode = 'key-invalid' | 'key-is-private' | 'key-not-rsa' | 'key-too-small' | 'token-malformed' | 'token-too-large' | 'token-not-base64url' | 'header-invalid' | 'payload-invalid' | 'duplicate-member' | 'alg-not-allowed' | 'crit-not-allowed' | 'key-reference-not-allowed' | 'header-param-not-allowed' | 'signature-invalid' | 'claim-missing' | 'claim-invalid' | 'expired' | 'not-yet-valid' | 'issued-in-future' | 'expiration-before-issued' | 'clock-set-back' | 'state-file-error' | 'license-arn-mismatch' | 'node-id-mismatch' | 'entitlement-missing' | 'entitlement-insufficient' | 'entitlement-unit-mismatch' | 'options-invalid';
export interface Refusal {
    valid: false;
    code: RefusalCode;
    /** One line for people; never contains the token. */
    reason: string;
}
export declare function refuse(code: RefusalCode, reason: string): Refusal;
export declare function isRefusal(value: unknown): value is Refusal;
/**
 * Quotes a value that came from the token for use in a reason. JSON escaping keeps newlines and
 * control characters out of log lines (where they could start a workflow command), with the ones
 * JSON leaves as they are (DEL, C1, U+2028/9) escaped too, and the length cap keeps a hostile
 * claim from flooding the log.
 */
export declare function quote(value: unknown): string;
