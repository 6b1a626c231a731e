import type { EntitlementUsage, LicenseDetails } from './aws/license-manager.js';
import { parseAwsTime } from './aws-time.js';
import type { EntitlementRequest } from './entitlements.js';

export interface RefusalContext {
  license?: LicenseDetails;
  usage?: EntitlementUsage[];
  asked: readonly EntitlementRequest[];
  checkoutType: 'PROVISIONAL' | 'PERPETUAL';
  mode: 'checkout' | 'borrow';
  now: Date;
}

/** Why the license itself cannot be consumed now (status, validity window); empty while it can. */
export function licenseUnusable(l: Pick<LicenseDetails, 'status' | 'validityBegin' | 'validityEnd'>, now: Date): string[] {
  const reasons: string[] = [];
  if (l.status !== 'AVAILABLE') reasons.push(`the license status is ${l.status}, not AVAILABLE`);
  const begin = parseAwsTime(l.validityBegin);
  const end = parseAwsTime(l.validityEnd);
  if (begin && begin.getTime() > now.getTime()) reasons.push(`the license is not valid before ${begin.toISOString()}`);
  if (end && end.getTime() < now.getTime()) reasons.push(`the license expired at ${end.toISOString()}`);
  return reasons;
}

/**
 * Reasons a refused checkout was refused, read from the license itself: License Manager answers an
 * opaque NoEntitlementsAllowed for all of them. Empty when the license looks able to grant.
 */
export function diagnoseRefusal(c: RefusalContext): string[] {
  const l = c.license;
  if (!l) return [];
  const reasons = licenseUnusable(l, c.now);
  if (c.mode === 'checkout' && c.checkoutType === 'PROVISIONAL' && l.provisionalTtlMinutes === undefined) {
    reasons.push('the license has no ProvisionalConfiguration, so it cannot be checked out PROVISIONAL');
  }
  if (c.mode === 'borrow' && !l.borrow) reasons.push('the license has no BorrowConfiguration, so it cannot be borrowed');
  const byName = new Map(l.entitlements.map((e) => [e.name, e]));
  const usage = new Map((c.usage ?? []).map((u) => [u.name, u]));
  for (const asked of c.asked) {
    const has = byName.get(asked.name);
    if (!has) {
      const names = l.entitlements.map((e) => e.name).join(', ') || 'none';
      reasons.push(`entitlement '${asked.name}' is not in the license (it has: ${names})`);
      continue;
    }
    if (has.unit !== asked.unit) reasons.push(`entitlement '${asked.name}' is counted in ${has.unit}, not ${asked.unit}`);
    const used = usage.get(asked.name);
    const max = has.maxCount ?? used?.maxCount;
    if (max !== undefined && !has.overage) {
      const consumed = used?.consumed ?? 0;
      // A feature takes one unit of a capped entitlement per checkout.
      const wanted = asked.value ?? '1';
      if (consumed + Number(wanted) > max) {
        reasons.push(`entitlement '${asked.name}' has ${consumed} of ${max} in use; ${wanted} more would exceed MaxCount`);
      }
    }
  }
  return reasons;
}

