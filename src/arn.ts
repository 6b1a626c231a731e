/** LicenseArn as the License Manager model constrains it. */
export const LICENSE_ARN =
  /^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;

/** An IAM role ARN (what AssumeRoleWithWebIdentity accepts as RoleArn). */
export const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * The account that created a license: its ARN's account field, or the issuer account a key
 * fingerprint names (`aws:<account>:<issuer>:issuer-fingerprint`); undefined when neither says.
 */
export function creatorAccount(licenseArn: string | undefined, keyFingerprint: string): string | undefined {
  const fromArn = licenseArn?.split(':')[4];
  if (fromArn && /^\d{12}$/.test(fromArn)) return fromArn;
  return /^aws:(\d{12}):/.exec(keyFingerprint)?.[1];
}
