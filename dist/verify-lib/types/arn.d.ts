/** LicenseArn as the License Manager model constrains it. */
export declare const LICENSE_ARN: RegExp;
/** An IAM role ARN (what AssumeRoleWithWebIdentity accepts as RoleArn). */
export declare const ROLE_ARN: RegExp;
