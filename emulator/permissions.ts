/**
 * IAM, minimally: which actions a caller may call. A key without a list may call everything (the
 * emulator's default, like an administrator's key); a session assumed with a license token gets
 * AWS's managed AWSLicenseManagerConsumptionPolicy unless its role has a list of its own.
 */
import type { StoredCredential } from './credentials.js';

/** The actions of AWS's managed AWSLicenseManagerConsumptionPolicy. */
export const CONSUMPTION_POLICY_ACTIONS = [
  'license-manager:CheckoutLicense',
  'license-manager:CheckInLicense',
  'license-manager:ExtendLicenseConsumption',
  'license-manager:GetLicense',
] as const;

/** No policy can deny these (STS GetCallerIdentity needs no permission). */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);

export class Permissions {
  private readonly lists: ReadonlyMap<string, ReadonlySet<string>>;

  /** `allow`: access key id or role ARN → IAM action names (`license-manager:CheckoutLicense`, `kms:*`, `*`). */
  constructor(allow: Readonly<Record<string, readonly string[]>> = {}) {
    this.lists = new Map(Object.entries(allow).map(([who, actions]) => [who, new Set(actions)]));
  }

  permits(caller: StoredCredential, action: string): boolean {
    if (ALWAYS_ALLOWED.has(action)) return true;
    const roleArn = caller.identity.roleArn;
    const listed = this.lists.get(caller.accessKeyId) ?? (roleArn === undefined ? undefined : this.lists.get(roleArn));
    const actions = listed ?? (caller.sessionToken ? new Set<string>(CONSUMPTION_POLICY_ACTIONS) : undefined);
    if (!actions) return true;
    return actions.has(action) || actions.has('*') || actions.has(`${action.slice(0, action.indexOf(':'))}:*`);
  }
}

/** AccessDenied's message as AWS writes it. */
export const notAuthorized = (caller: StoredCredential, action: string): string =>
  `User: ${caller.identity.arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
