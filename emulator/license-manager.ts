/** Assembles the License Manager service (AWS JSON 1.1, target prefix `AWSLicenseManager`). */
import type { ConsumptionLedger } from './consumptions.js';
import { AwsError, lmError } from './errors.js';
import type { GrantBook } from './grants.js';
import type { LicenseBook, LicenseRecord } from './licenses.js';
import type { OperationHandler, ServiceDefinition } from './service.js';
import type { TokenAuthority } from './tokens.js';

/** `throttleStatus`: 400 as AWS's API reference gives it (the default), or 429 as the Smithy model does. */
export function licenseManagerService(book: LicenseBook, grants: GrantBook, ledger: ConsumptionLedger, tokens: TokenAuthority, throttleStatus: 400 | 429 = 400): ServiceDefinition {
  /** Each request acts as the account of its credentials. */
  const as = (run: (raw: unknown, account: string | undefined) => unknown): OperationHandler => (raw, ctx) => run(raw, ctx.caller?.identity.accountId);
  const readable = (account: string | undefined) => (r: LicenseRecord) => book.owner(r) === account || grants.sees(r, account);
  const operations: Record<string, OperationHandler> = {
    CreateLicense: as((raw, a) => book.createLicense(raw, a)),
    CreateLicenseVersion: as((raw, a) => book.createLicenseVersion(raw, a)),
    GetLicense: as((raw, a) => book.getLicense(raw, readable(a))),
    ListLicenses: as((raw, a) => book.listLicenses(raw, a)),
    DeleteLicense: as((raw, a) => book.deleteLicense(raw, a)),
    GetLicenseUsage: as((raw, a) => book.getLicenseUsage(raw, readable(a))),
    CheckoutLicense: as((raw, a) => ledger.checkoutLicense(raw, a)),
    CheckoutBorrowLicense: as((raw, a) => ledger.checkoutBorrowLicense(raw, a)),
    ExtendLicenseConsumption: as((raw, a) => ledger.extendLicenseConsumption(raw, a)),
    CheckInLicense: as((raw, a) => ledger.checkInLicense(raw, a)),
    CreateGrant: as((raw, a) => grants.createGrant(raw, a)),
    AcceptGrant: as((raw, a) => grants.acceptGrant(raw, a)),
    RejectGrant: as((raw, a) => grants.rejectGrant(raw, a)),
    CreateGrantVersion: as((raw, a) => grants.createGrantVersion(raw, a)),
    GetGrant: as((raw, a) => grants.getGrant(raw, a)),
    DeleteGrant: as((raw, a) => grants.deleteGrant(raw, a)),
    ListReceivedGrants: as((raw, a) => grants.listReceivedGrants(raw, a)),
    ListDistributedGrants: as((raw, a) => grants.listDistributedGrants(raw, a)),
    ListReceivedLicenses: as((raw, a) => grants.listReceivedLicenses(raw, a)),
    CreateToken: (raw) => tokens.createToken(raw),
    DeleteToken: (raw) => tokens.deleteToken(raw),
    GetAccessToken: (raw) => tokens.getAccessToken(raw),
  };
  // Expired consumptions are returned lazily: sweeping first means every answer (usage included) sees them gone.
  const sweeping = Object.fromEntries(
    Object.entries(operations).map(([name, handler]): [string, OperationHandler] => [
      name,
      (raw, ctx) => {
        ledger.sweep(ctx.now);
        return handler(raw, ctx);
      },
    ]),
  );
  return {
    signingName: 'license-manager',
    operations: sweeping,
    unsignedOperations: new Set(['GetAccessToken']),
    throttled: () => new AwsError('RateLimitExceededException', 'Rate exceeded', throttleStatus),
    accessDenied: (message) => lmError('AccessDeniedException', message),
    serverError: () => lmError('ServerInternalException', 'An internal error occurred'),
  };
}
