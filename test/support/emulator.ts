/**
 * Helpers for tests that run the emulator in-process: start/stop, SDK clients pointed at
 * it, and a one-call license factory with sensible defaults.
 */
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { CreateKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import {
  CheckoutLicenseCommand,
  CreateLicenseCommand,
  CreateLicenseVersionCommand,
  GetLicenseCommand,
  GetLicenseUsageCommand,
  LicenseManagerClient,
  type BorrowConfiguration,
  type CheckoutLicenseCommandInput,
  type CheckoutLicenseCommandOutput,
  type Entitlement,
  type LicenseManagerClientConfig,
} from '@aws-sdk/client-license-manager';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const TEST_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const TEST_REGION = 'us-east-1';

/** Handle returned by the hook form of withEmulator; `emu` is available once `before` ran. */
export interface EmulatorHandle {
  readonly emu: Emulator;
}

/**
 * Two forms:
 * - `withEmulator(opts, async (emu) => ...)` starts an emulator, runs the callback, always closes it;
 * - `const h = withEmulator(opts)` inside a describe/file registers before/after hooks; use `h.emu`.
 */
export function withEmulator(opts?: EmulatorOptions): EmulatorHandle;
export function withEmulator<T>(opts: EmulatorOptions | undefined, run: (emu: Emulator) => Promise<T>): Promise<T>;
export function withEmulator<T>(opts?: EmulatorOptions, run?: (emu: Emulator) => Promise<T>): EmulatorHandle | Promise<T> {
  if (run) {
    return (async () => {
      const emu = await startEmulator(opts);
      try {
        return await run(emu);
      } finally {
        await emu.close();
      }
    })();
  }
  let started: Emulator | undefined;
  before(async () => {
    started = await startEmulator(opts);
  });
  after(() => started?.close());
  return {
    get emu(): Emulator {
      if (!started) throw new Error('the emulator is not started yet: use handle.emu inside tests or hooks');
      return started;
    },
  };
}

const clientConfig = (emu: Emulator, creds: Credentials = TEST_CREDENTIALS) => ({ region: emu.region, endpoint: emu.url, credentials: creds });

export const licenseManagerClient = (emu: Emulator, creds?: Credentials, config: LicenseManagerClientConfig = {}): LicenseManagerClient =>
  new LicenseManagerClient({ ...clientConfig(emu, creds), ...config });
export const kmsClient = (emu: Emulator, creds?: Credentials, config: KMSClientConfig = {}): KMSClient => new KMSClient({ ...clientConfig(emu, creds), ...config });
export const stsClient = (emu: Emulator, creds?: Credentials, config: STSClientConfig = {}): STSClient => new STSClient({ ...clientConfig(emu, creds), ...config });

/** Environment for a child process (the action, awscli...) that should talk to the emulator. */
export function emulatorEnv(emu: Emulator, creds: Credentials = TEST_CREDENTIALS): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emu.url,
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
  };
}

export interface TestLicenseOptions {
  productSku?: string;
  productName?: string;
  licenseName?: string;
  issuerName?: string;
  /** Default one entitlement: Seats, Count, MaxCount `seats`, AllowCheckIn. */
  entitlements?: Entitlement[];
  seats?: number;
  /** ProvisionalConfiguration.MaxTimeToLiveInMinutes; default 60. */
  ttlMinutes?: number;
  /** Adds a BorrowConfiguration (true = AllowEarlyCheckIn true, 60 minutes); implies a SignKey. */
  borrow?: boolean | BorrowConfiguration;
  /** true = create an RSA key through KMS (RSA_4096 unless signKeySpec says otherwise); a string = that key ARN. */
  signKey?: boolean | string;
  signKeySpec?: 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
  beneficiary?: string;
  validity?: { Begin: string; End?: string };
  renewType?: 'None' | 'Weekly' | 'Monthly';
  credentials?: Credentials;
}

export interface TestLicense {
  licenseArn: string;
  productSku: string;
  keyFingerprint: string;
  signKeyArn?: string;
}

export async function createSignKey(emu: Emulator, keySpec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096' = 'RSA_4096', creds?: Credentials): Promise<string> {
  const out = await kmsClient(emu, creds).send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY', Description: 'license signing key' }));
  const arn = out.KeyMetadata?.Arn;
  if (!arn) throw new Error('CreateKey returned no key ARN');
  return arn;
}

export async function createTestLicense(emu: Emulator, opts: TestLicenseOptions = {}): Promise<TestLicense> {
  const productSku = opts.productSku ?? `SKU-${randomBytes(6).toString('hex')}`;
  const issuerName = opts.issuerName ?? 'Example ISV';
  const borrow: BorrowConfiguration | undefined =
    opts.borrow === true ? { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 } : opts.borrow === false ? undefined : opts.borrow;
  const wantsKey = opts.signKey ?? borrow !== undefined;
  const signKeyArn = typeof wantsKey === 'string' ? wantsKey : wantsKey ? await createSignKey(emu, opts.signKeySpec, opts.credentials) : undefined;
  const out = await licenseManagerClient(emu, opts.credentials).send(
    new CreateLicenseCommand({
      LicenseName: `${productSku} license`,
      ProductName: opts.productName ?? 'Example Product',
      ProductSKU: productSku,
      Issuer: { Name: issuerName, ...(signKeyArn ? { SignKey: signKeyArn } : {}) },
      HomeRegion: emu.region,
      Validity: opts.validity ?? { Begin: new Date(Date.now() - 60_000).toISOString() },
      Entitlements: opts.entitlements ?? [{ Name: 'Seats', Unit: 'Count', MaxCount: opts.seats ?? 10, Overage: false, AllowCheckIn: true }],
      Beneficiary: opts.beneficiary ?? emu.accountId,
      ConsumptionConfiguration: {
        ...(opts.renewType ? { RenewType: opts.renewType } : {}),
        ProvisionalConfiguration: { MaxTimeToLiveInMinutes: opts.ttlMinutes ?? 60 },
        ...(borrow ? { BorrowConfiguration: borrow } : {}),
      },
      ClientToken: randomBytes(16).toString('hex'),
    }),
  );
  if (!out.LicenseArn) throw new Error('CreateLicense returned no LicenseArn');
  return {
    licenseArn: out.LicenseArn,
    productSku,
    keyFingerprint: `aws:${emu.accountId}:${issuerName}:issuer-fingerprint`,
    ...(signKeyArn ? { signKeyArn } : {}),
  };
}

let checkoutCounter = 0;

/**
 * CheckoutLicense of one `Seats` unit by SKU and fingerprint, with a fresh ClientToken unless `over`
 * says otherwise. The tests' credentials belong to the account that created the license, which
 * must name itself as Beneficiary (`over: { Beneficiary: undefined }` leaves it out).
 */
export function checkoutSeat(
  emu: Emulator,
  lic: { productSku: string; keyFingerprint: string },
  over: Partial<CheckoutLicenseCommandInput> = {},
  config: LicenseManagerClientConfig = {},
): Promise<CheckoutLicenseCommandOutput> {
  return licenseManagerClient(emu, undefined, config).send(
    new CheckoutLicenseCommand({
      ProductSKU: lic.productSku,
      KeyFingerprint: lic.keyFingerprint,
      CheckoutType: 'PROVISIONAL',
      Entitlements: [{ Name: 'Seats', Value: '1', Unit: 'Count' }],
      ClientToken: `checkout-${process.pid}-${++checkoutCounter}-${randomBytes(4).toString('hex')}`,
      Beneficiary: emu.accountId,
      ...over,
    }),
  );
}

/** A new version of the license with another Status (SUSPENDED, DEACTIVATED, AVAILABLE...), as an issuer makes one. */
export async function setLicenseStatus(emu: Emulator, licenseArn: string, status: 'AVAILABLE' | 'SUSPENDED' | 'DEACTIVATED'): Promise<void> {
  const lm = licenseManagerClient(emu);
  const { License: l } = await lm.send(new GetLicenseCommand({ LicenseArn: licenseArn }));
  if (!l) throw new Error(`GetLicense ${licenseArn} returned no license`);
  await lm.send(
    new CreateLicenseVersionCommand({
      LicenseArn: licenseArn,
      LicenseName: l.LicenseName!,
      ProductName: l.ProductName!,
      Issuer: { Name: l.Issuer!.Name!, ...(l.Issuer?.SignKey ? { SignKey: l.Issuer.SignKey } : {}) },
      HomeRegion: l.HomeRegion!,
      Validity: l.Validity!,
      Entitlements: l.Entitlements!,
      ConsumptionConfiguration: l.ConsumptionConfiguration!,
      Status: status,
      SourceVersion: l.Version,
      ClientToken: randomBytes(16).toString('hex'),
    }),
  );
}

/** Entitlement name → ConsumedValue, read through GetLicenseUsage. */
export async function seatUsage(emu: Emulator, licenseArn: string, creds?: Credentials): Promise<Record<string, number>> {
  const out = await licenseManagerClient(emu, creds).send(new GetLicenseUsageCommand({ LicenseArn: licenseArn }));
  return Object.fromEntries((out.LicenseUsage?.EntitlementUsages ?? []).map((u) => [u.Name ?? '', Number(u.ConsumedValue ?? '0')]));
}

/** An AWS SDK v3 service error as tests look at it. */
export interface AwsSdkError extends Error {
  $metadata: { httpStatusCode?: number; attempts?: number };
  $response?: { headers: Record<string, string> };
}

/** Awaits a rejection and checks the AWS error code (and optionally status and message); returns the error. */
export async function expectAwsError(promise: Promise<unknown>, code: string, expect: { status?: number; message?: RegExp } = {}): Promise<AwsSdkError> {
  let error: AwsSdkError | undefined;
  try {
    await promise;
  } catch (e) {
    error = e as AwsSdkError;
  }
  if (!error) throw new Error(`expected ${code}, but the call succeeded`);
  if (error.name !== code) throw new Error(`expected ${code}, got ${error.name}: ${error.message}`);
  if (expect.status !== undefined && error.$metadata?.httpStatusCode !== expect.status) {
    throw new Error(`expected ${code} with status ${expect.status}, got ${error.$metadata?.httpStatusCode}`);
  }
  if (expect.message && !expect.message.test(error.message)) throw new Error(`${code} message '${error.message}' does not match ${expect.message}`);
  return error;
}
