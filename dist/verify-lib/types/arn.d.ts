/** LicenseArn as the License Manager model constrains it. */
export declare const LICENSE_ARN: RegExp;
/** An IAM role ARN (what AssumeRoleWithWebIdentity accepts as RoleArn). */
export declare const ROLE_ARN: RegExp;
/**
 * The account that created a license: its ARN's account field, or the issuer account a key
 * fingerprint names (`aws:<account>:<issuer>:issuer-fingerprint`); undefined when neither says.
 */
export declare function creatorAccount(licenseArn: string | undefined, keyFingerprint: string): string | undefined;
