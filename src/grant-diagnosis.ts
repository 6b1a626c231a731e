import type { ReceivedGrant } from './aws/license-manager.js';

/** The grant operation each consuming call needs (the model's AllowedOperation names). */
const NEEDS = { checkout: 'CheckoutLicense', borrow: 'CheckoutBorrowLicense' } as const;

const activate = (arn: string) => `aws license-manager create-grant-version --grant-arn ${arn} --status ACTIVE --client-token "$(uuidgen)"`;

/**
 * Why a customer's account cannot consume, read from the grants it received: a license issued in
 * another account reaches it only through a grant it accepted and activated. Each reason names the
 * step to take, as an AWS CLI command. Empty when an active grant allows the operation.
 */
export function diagnoseGrants(grants: readonly ReceivedGrant[], mode: 'checkout' | 'borrow', what: string, account?: string): string[] {
  const needed = NEEDS[mode];
  if (grants.some((g) => g.status === 'ACTIVE' && g.operations.includes(needed))) return [];
  if (grants.length === 0) {
    const to = account ? `arn:aws:iam::${account}:root` : "this account's root principal";
    return [`no grant of ${what} reached this account: ask the issuer to grant it to ${to} (aws license-manager create-grant)`];
  }
  return grants.map((g) => {
    const why = g.statusReason ? ` (${g.statusReason})` : '';
    switch (g.status) {
      case 'PENDING_ACCEPT':
        return `grant ${g.grantArn} waits to be accepted: run aws license-manager accept-grant --grant-arn ${g.grantArn}, then ${activate(g.grantArn)}`;
      case 'DISABLED':
        return `grant ${g.grantArn} is accepted but not active${why}: run ${activate(g.grantArn)}`;
      case 'ACTIVE':
        return `grant ${g.grantArn} is active but does not allow ${needed} (it allows ${g.operations.join(', ') || 'nothing'}): ask the issuer for a grant version that does`;
      case 'REJECTED':
        return `grant ${g.grantArn} was rejected by this account: ask the issuer for a new grant`;
      case 'DELETED':
      case 'PENDING_DELETE':
        return `grant ${g.grantArn} was withdrawn by the issuer${why}`;
      default:
        return `grant ${g.grantArn} is ${g.status}${why}, not ACTIVE`;
    }
  });
}
