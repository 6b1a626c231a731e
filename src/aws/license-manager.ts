// The one module that speaks to License Manager through the SDK. Everything above it sees plain
// data and AwsFailure, never SDK types or exceptions.
import {
  CheckInLicenseCommand,
  CheckoutBorrowLicenseCommand,
  CheckoutLicenseCommand,
  ExtendLicenseConsumptionCommand,
  GetLicenseCommand,
  GetLicenseUsageCommand,
  LicenseManagerClient,
  ListReceivedGrantsCommand,
} from '@aws-sdk/client-license-manager';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { EntitlementRequest, GrantedEntitlement } from '../entitlements.js';
import { ActionFailure, AwsFailure } from '../failure.js';
import { classifyError } from './classify-error.js';
import { clientConfig, type AwsSettings } from './client-config.js';

export interface LicenseDetails {
  licenseArn: string;
  productSku: string;
  productName?: string;
  issuerName: string;
  keyFingerprint: string;
  status: string;
  validityBegin?: string;
  validityEnd?: string;
  entitlements: Array<{ name: string; unit: string; maxCount?: number; overage?: boolean; allowCheckIn?: boolean }>;
  provisionalTtlMinutes?: number;
  borrow?: { allowEarlyCheckIn: boolean; ttlMinutes: number };
}

export interface EntitlementUsage {
  name: string;
  consumed: number;
  maxCount?: number;
  unit: string;
}

/** A grant this account received (ListReceivedGrants), as a refusal's diagnosis needs it. */
export interface ReceivedGrant {
  grantArn: string;
  licenseArn: string;
  status: string;
  statusReason?: string;
  operations: string[];
}

export interface Consumption {
  licenseArn?: string;
  consumptionToken: string;
  granted: GrantedEntitlement[];
  nodeId?: string;
  issuedAt?: string;
  expiration?: string;
  signedToken?: string;
}

export interface CheckoutRequest {
  productSku: string;
  keyFingerprint: string;
  checkoutType: 'PROVISIONAL' | 'PERPETUAL';
  entitlements: readonly EntitlementRequest[];
  clientToken: string;
  nodeId: string;
  beneficiary?: string;
}

export interface BorrowRequest {
  licenseArn: string;
  entitlements: readonly EntitlementRequest[];
  clientToken: string;
  nodeId: string;
  checkoutMetadata: Array<{ Name: string; Value: string }>;
}

export interface LicenseService {
  /** `signal`: the runner's cancel, which must not wait out a patient retry. */
  getLicense(licenseArn: string, signal?: AbortSignal): Promise<LicenseDetails>;
  getUsage(licenseArn: string): Promise<EntitlementUsage[]>;
  /** The grants this account received of one license or SKU (not in AWS's consumption policy). */
  receivedGrants(of: { licenseArn: string } | { productSku: string }): Promise<ReceivedGrant[]>;
  checkout(request: CheckoutRequest, signal?: AbortSignal): Promise<Consumption>;
  borrow(request: BorrowRequest, signal?: AbortSignal): Promise<Consumption>;
  extend(consumptionToken: string, signal?: AbortSignal): Promise<{ consumptionToken: string; expiration?: string }>;
  checkIn(consumptionToken: string, beneficiary?: string): Promise<void>;
  destroy(): void;
}

/** A feature (no value) is sent without Value, as AWS's samples ask for tiers. */
const abortable = (signal: AbortSignal | undefined) => (signal ? { abortSignal: signal } : {});

const wire = (list: readonly EntitlementRequest[]) => list.map((e) => ({ Name: e.name, ...(e.value === undefined ? {} : { Value: e.value }), Unit: e.unit }));

/** As AWS granted them: a feature keeps the license's own Value, or none. */
function granted(list: Array<{ Name?: string; Value?: string; Unit?: string }> | undefined): GrantedEntitlement[] {
  return (list ?? []).map((e) => ({ name: e.Name ?? '', ...(e.Value === undefined ? {} : { value: e.Value }), unit: e.Unit ?? 'Count' }));
}

/** CheckoutLicense and CheckoutBorrowLicense answer alike. */
function consumption(out: {
  LicenseArn?: string;
  LicenseConsumptionToken?: string;
  EntitlementsAllowed?: Array<{ Name?: string; Value?: string; Unit?: string }>;
  NodeId?: string;
  IssuedAt?: string;
  Expiration?: string;
  SignedToken?: string;
}): Consumption {
  return {
    licenseArn: out.LicenseArn,
    consumptionToken: out.LicenseConsumptionToken ?? '',
    granted: granted(out.EntitlementsAllowed),
    nodeId: out.NodeId,
    issuedAt: out.IssuedAt,
    expiration: out.Expiration,
    signedToken: out.SignedToken,
  };
}

export function licenseService(settings: AwsSettings): LicenseService {
  const client = new LicenseManagerClient(clientConfig(settings));
  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // A credentials stage (license token) has already explained itself.
      if (error instanceof ActionFailure) throw error;
      throw classifyError(operation, error);
    }
  }
  return {
    getLicense: (licenseArn, signal) =>
      call('GetLicense', async () => {
        const { License: l } = await client.send(new GetLicenseCommand({ LicenseArn: licenseArn }), abortable(signal));
        if (!l) throw new AwsFailure('not-found', 'GetLicense', 'ResourceNotFoundException', `license ${licenseArn} not found`);
        const consumption = l.ConsumptionConfiguration;
        return {
          licenseArn: l.LicenseArn ?? licenseArn,
          productSku: l.ProductSKU ?? '',
          productName: l.ProductName,
          issuerName: l.Issuer?.Name ?? '',
          keyFingerprint: l.Issuer?.KeyFingerprint ?? '',
          status: l.Status ?? 'UNKNOWN',
          validityBegin: l.Validity?.Begin,
          validityEnd: l.Validity?.End,
          entitlements: (l.Entitlements ?? []).map((e) => ({
            name: e.Name ?? '',
            unit: e.Unit ?? 'Count',
            maxCount: e.MaxCount,
            overage: e.Overage,
            allowCheckIn: e.AllowCheckIn,
          })),
          provisionalTtlMinutes: consumption?.ProvisionalConfiguration?.MaxTimeToLiveInMinutes,
          borrow: consumption?.BorrowConfiguration
            ? {
                allowEarlyCheckIn: consumption.BorrowConfiguration.AllowEarlyCheckIn ?? false,
                ttlMinutes: consumption.BorrowConfiguration.MaxTimeToLiveInMinutes ?? 0,
              }
            : undefined,
        };
      }),
    getUsage: (licenseArn) =>
      call('GetLicenseUsage', async () => {
        const out = await client.send(new GetLicenseUsageCommand({ LicenseArn: licenseArn }));
        return (out.LicenseUsage?.EntitlementUsages ?? []).map((u) => ({
          name: u.Name ?? '',
          consumed: Number(u.ConsumedValue ?? 0),
          maxCount: u.MaxCount === undefined ? undefined : Number(u.MaxCount),
          unit: u.Unit ?? 'Count',
        }));
      }),
    receivedGrants: (of) =>
      call('ListReceivedGrants', async () => {
        const filter = 'licenseArn' in of ? { Name: 'LicenseArn', Values: [of.licenseArn] } : { Name: 'ProductSKU', Values: [of.productSku] };
        const out = await client.send(new ListReceivedGrantsCommand({ Filters: [filter], MaxResults: 100 }));
        return (out.Grants ?? []).map((g) => ({
          grantArn: g.GrantArn ?? '',
          licenseArn: g.LicenseArn ?? '',
          status: g.GrantStatus ?? 'UNKNOWN',
          ...(g.StatusReason ? { statusReason: g.StatusReason } : {}),
          operations: g.GrantedOperations ?? [],
        }));
      }),
    checkout: (r, signal) =>
      call('CheckoutLicense', async () => {
        const out = await client.send(
          new CheckoutLicenseCommand({
            ProductSKU: r.productSku,
            KeyFingerprint: r.keyFingerprint,
            CheckoutType: r.checkoutType,
            Entitlements: wire(r.entitlements),
            ClientToken: r.clientToken,
            NodeId: r.nodeId,
            Beneficiary: r.beneficiary,
          }),
          abortable(signal),
        );
        return consumption(out);
      }),
    borrow: (r, signal) =>
      call('CheckoutBorrowLicense', async () => {
        const out = await client.send(
          new CheckoutBorrowLicenseCommand({
            LicenseArn: r.licenseArn,
            Entitlements: wire(r.entitlements),
            DigitalSignatureMethod: 'JWT_PS384',
            ClientToken: r.clientToken,
            NodeId: r.nodeId,
            CheckoutMetadata: r.checkoutMetadata.length ? r.checkoutMetadata : undefined,
          }),
          abortable(signal),
        );
        return consumption(out);
      }),
    extend: (consumptionToken, signal) =>
      call('ExtendLicenseConsumption', async () => {
        const out = await client.send(new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: consumptionToken }), abortable(signal));
        return { consumptionToken: out.LicenseConsumptionToken ?? consumptionToken, expiration: out.Expiration };
      }),
    checkIn: (consumptionToken, beneficiary) =>
      call('CheckInLicense', async () => {
        await client.send(new CheckInLicenseCommand({ LicenseConsumptionToken: consumptionToken, Beneficiary: beneficiary }));
      }),
    destroy: () => client.destroy(),
  };
}

/**
 * The job's credentials: its license token's when it has one (the STS exchange is loaded only
 * then), else undefined, which clientConfig turns into envCredentials() or the default chain.
 */
export async function jobCredentialsFor(
  licenseToken: { token: string; roleArn: string; roleSessionName?: string } | undefined,
  region: string,
  mask?: (secret: string) => void,
): Promise<AwsCredentialIdentityProvider | undefined> {
  return licenseToken ? (await import('./license-token.js')).licenseTokenCredentials({ ...licenseToken, region, mask }) : undefined;
}
