/** Assembles the License Manager service (AWS JSON 1.1, target prefix `AWSLicenseManager`). */
import type { ConsumptionLedger } from './consumptions.js';
import { AwsError, lmError } from './errors.js';
import type { LicenseBook } from './licenses.js';
import type { OperationHandler, ServiceDefinition } from './service.js';
import type { TokenAuthority } from './tokens.js';

/** `throttleStatus`: 400 as AWS's API reference gives it (the default), or 429 as the Smithy model does. */
export function licenseManagerService(book: LicenseBook, ledger: ConsumptionLedger, tokens: TokenAuthority, throttleStatus: 400 | 429 = 400): ServiceDefinition {
  const operations: Record<string, OperationHandler> = {
    CreateLicense: (raw) => book.createLicense(raw),
    CreateLicenseVersion: (raw) => book.createLicenseVersion(raw),
    GetLicense: (raw) => book.getLicense(raw),
    ListLicenses: (raw) => book.listLicenses(raw),
    DeleteLicense: (raw) => book.deleteLicense(raw),
    GetLicenseUsage: (raw) => book.getLicenseUsage(raw),
    CheckoutLicense: (raw, ctx) => ledger.checkoutLicense(raw, ctx.caller?.identity.accountId),
    CheckoutBorrowLicense: (raw) => ledger.checkoutBorrowLicense(raw),
    ExtendLicenseConsumption: (raw) => ledger.extendLicenseConsumption(raw),
    CheckInLicense: (raw) => ledger.checkInLicense(raw),
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
    serverError: () => lmError('ServerInternalException', 'An internal error occurred'),
  };
}
