import type { LicenseDetails, LicenseService } from './aws/license-manager.js';
import { diagnoseRefusal } from './diagnose.js';
import { describe } from './entitlements.js';
import { AwsFailure } from './failure.js';
import { diagnoseGrants } from './grant-diagnosis.js';
import type { ActionInputs } from './inputs.js';
import type { ActionIO } from './io.js';

/** What STS said about the account the job runs in, against the account that created the license. */
export interface CallerFacts {
  /** True: the job runs in the creating account (an ISV consuming its own license). */
  isCreator?: boolean;
  /** The job's account, when STS told it. */
  account?: string;
  /** One clause for the message: what the step learned about the Beneficiary rule. */
  note?: string;
}

export interface RefusalContext {
  io: ActionIO;
  service: LicenseService;
  inputs: ActionInputs;
  license?: LicenseDetails;
  subject: string;
  now(): number;
}

/**
 * Why a checkout was refused, read from what the job's role may read: the license (GetLicense),
 * its usage (GetLicenseUsage) and, for a customer, the grants its account received
 * (ListReceivedGrants). A consumption-only role may read just the first: what it may not read is
 * said once, in one line, and the diagnosis goes on without it.
 */
export class RefusalDiagnosis {
  private readonly unread = new Set<string>();
  private grants?: Promise<string[] | undefined>;

  constructor(private readonly c: RefusalContext) {}

  /** Reasons waiting cannot cure: the license's own state, or a grant that does not let this account consume. */
  async permanent(caller: CallerFacts): Promise<string[]> {
    const { license, inputs } = this.c;
    const fromLicense = license ? diagnoseRefusal({ license, asked: inputs.entitlements, checkoutType: inputs.checkoutType, mode: inputs.mode, now: new Date(this.c.now()) }) : [];
    return [...fromLicense, ...((await this.grantReasons(caller)) ?? [])];
  }

  /** The failure line of a refused checkout: what was asked, from what, and every cause found. */
  async message(error: AwsFailure, beneficiary: string | undefined, caller: CallerFacts): Promise<string> {
    const { license, inputs, subject } = this.c;
    const asked = inputs.entitlements.map(describe).join(', ');
    const grants = await this.grantReasons(caller);
    const usage = license ? await this.read('GetLicenseUsage', () => this.c.service.getUsage(license.licenseArn)) : undefined;
    const reasons = [
      ...(license ? diagnoseRefusal({ license, usage, asked: inputs.entitlements, checkoutType: inputs.checkoutType, mode: inputs.mode, now: new Date(this.c.now()) }) : []),
      ...(grants ?? []),
    ];
    const checkGrants = grants === undefined && caller.isCreator === false ? ` To see this account's grants: aws license-manager list-received-grants --filters ${grantFilter(this.c)}.` : '';
    const why = reasons.length
      ? `Cause: ${reasons.join('; ')}.`
      : license
        ? caller.isCreator
          ? `The license looks able to grant this, and beneficiary ${beneficiary ?? caller.account} was named as AWS requires of the account that created it.`
          : `The license looks able to grant this; check that the grant to this account is active${
              beneficiary ? ` and that beneficiary ${beneficiary} is right` : caller.note ? '' : ', and Beneficiary (the account that created a license must name itself)'
            }.`
        : 'Usual causes: the license is not granted to this account or the grant is not activated, the SKU or key fingerprint does not match, the entitlement names or units differ, all seats are in use, or the license expired. Give license-arn for a precise diagnosis.';
    return `Not entitled: ${error.operation} granted none of ${asked} from ${subject} (${error.code}). ${why}${checkGrants}${caller.note ? ` Beneficiary: ${caller.note}.` : ''}`;
  }

  /** Read once per step, and only for another account than the creator's: the creator receives no grant of its own license. */
  private grantReasons(caller: CallerFacts): Promise<string[] | undefined> {
    if (caller.isCreator !== false) return Promise.resolve(undefined);
    const of = grantsOf(this.c);
    const what = 'licenseArn' in of ? `license ${of.licenseArn}` : `SKU ${of.productSku}`;
    this.grants ??= this.read('ListReceivedGrants', () => this.c.service.receivedGrants(of)).then((g) => g && diagnoseGrants(g, this.c.inputs.mode, what, caller.account));
    return this.grants;
  }

  /** A read the diagnosis can do without: a refusal (a consumption-only role) or an outage is said once and skipped. */
  private async read<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof AwsFailure) || this.unread.has(operation)) return undefined;
      this.unread.add(operation);
      const why = error.kind === 'denied' ? `the role may not call license-manager:${operation}, as with AWS's consumption policy` : error.message;
      this.c.io.info(`Diagnosis: could not read ${operation} (${error.code}: ${why}); going on without it.`);
      return undefined;
    }
  }
}

/** Which grants concern this checkout: those of the license, or of the SKU when no license-arn was given. */
function grantsOf(c: RefusalContext): { licenseArn: string } | { productSku: string } {
  return c.license ? { licenseArn: c.license.licenseArn } : { productSku: (c.inputs.license as { productSku: string }).productSku };
}

function grantFilter(c: RefusalContext): string {
  const of = grantsOf(c);
  return 'licenseArn' in of ? `Name=LicenseArn,Values=${of.licenseArn}` : `Name=ProductSKU,Values=${of.productSku}`;
}

