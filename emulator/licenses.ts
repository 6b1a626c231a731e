/**
 * The licenses an issuer created (CreateLicense, CreateLicenseVersion, GetLicense,
 * ListLicenses, DeleteLicense, GetLicenseUsage) and the per-entitlement seat counters.
 * Counters live here so every grant and release goes through one place that also tracks
 * the peak for benchmarks.
 */
import { parseLenientIso, type Clock } from './clock.js';
import { lmError, validationError } from './errors.js';
import { randomHex } from './ids.js';
import type { IdempotencyCache } from './idempotency.js';
import type { KmsEmulator } from './kms.js';
import {
  createLicenseShape,
  createLicenseVersionShape,
  deleteLicenseShape,
  getLicenseShape,
  licenseArnShape,
  listLicensesShape,
  type entitlementShape,
} from './license-shapes.js';
import { filtersOf, page } from './paging.js';
import type { LicenseStats } from './stats.js';
import { memberError, validate, type Infer } from './validation.js';

export type EntitlementDefinition = Infer<typeof entitlementShape>;
type LicenseBody = Infer<typeof createLicenseVersionShape>;

/** The License structure GetLicense answers, one per version. */
export interface LicenseDocument {
  LicenseArn: string;
  LicenseName: string;
  ProductName: string;
  ProductSKU: string;
  Issuer: { Name: string; SignKey?: string; KeyFingerprint: string };
  HomeRegion: string;
  Status: string;
  Validity: { Begin: string; End?: string };
  Beneficiary: string;
  Entitlements: EntitlementDefinition[];
  ConsumptionConfiguration: LicenseBody['ConsumptionConfiguration'];
  LicenseMetadata?: LicenseBody['LicenseMetadata'];
  CreateTime: string;
  Version: string;
}

interface SeatCounter {
  consumed: number;
  peak: number;
}

export interface LicenseRecord {
  versions: LicenseDocument[];
  current: LicenseDocument;
  validFrom: number;
  validUntil: number | undefined;
  seats: Map<string, SeatCounter>;
}

/** The account a license lives in: its ARN's (`arn:aws:license-manager::<account>:license:...`). */
const accountOf = (licenseArn: string): string | undefined => licenseArn.split(':')[4];

const notFound = (licenseArn: string) => lmError('InvalidParameterValueException', `License ${licenseArn} does not exist`);

function checkEntitlements(entitlements: EntitlementDefinition[]): void {
  const seen = new Set<string>();
  for (const e of entitlements) {
    if (seen.has(e.Name)) throw validationError(`Entitlement names must be unique: '${e.Name}' appears more than once`);
    seen.add(e.Name);
  }
}

function validityWindow(validity: { Begin: string; End?: string }): { validFrom: number; validUntil: number | undefined } {
  const validFrom = parseLenientIso(validity.Begin);
  if (validFrom === undefined) throw memberError('validity.begin', 'Member must be a valid ISO 8601 date-time');
  const validUntil = validity.End === undefined ? undefined : parseLenientIso(validity.End);
  if (validity.End !== undefined && (validUntil === undefined || validUntil <= validFrom)) {
    throw memberError('validity.end', 'Member must be a valid ISO 8601 date-time after validity.begin');
  }
  return { validFrom, validUntil };
}

export class LicenseBook {
  private readonly licenses = new Map<string, LicenseRecord>();

  constructor(
    private readonly accountId: string,
    private readonly clock: Clock,
    private readonly kms: KmsEmulator,
    private readonly idempotency: IdempotencyCache,
  ) {}

  fingerprint(issuerName: string, account: string = this.accountId): string {
    return `aws:${account}:${issuerName}:issuer-fingerprint`;
  }

  get(licenseArn: string): LicenseRecord | undefined {
    return this.licenses.get(licenseArn);
  }

  all(): LicenseRecord[] {
    return [...this.licenses.values()];
  }

  isUsable(record: LicenseRecord, now: number): boolean {
    return this.statusAt(record, now) === 'AVAILABLE' && now >= record.validFrom;
  }

  /** The status as GetLicense shows it: an AVAILABLE license past its Validity End reads EXPIRED (a LicenseStatus of the model). */
  statusAt(record: LicenseRecord, now: number): string {
    const expired = record.current.Status === 'AVAILABLE' && record.validUntil !== undefined && now >= record.validUntil;
    return expired ? 'EXPIRED' : record.current.Status;
  }

  /** A version of the license document as it reads at `now`. */
  private shown(record: LicenseRecord, doc: LicenseDocument, now: number): LicenseDocument {
    return doc === record.current ? { ...doc, Status: this.statusAt(record, now) } : doc;
  }

  /** The current version as GetLicense shows it now. */
  view(record: LicenseRecord): LicenseDocument {
    return this.shown(record, record.current, this.clock.now());
  }

  /** The account a license lives in (its issuer's), read from its ARN. */
  owner(record: LicenseRecord): string | undefined {
    return accountOf(record.current.LicenseArn);
  }

  private owned(record: LicenseRecord, caller: string | undefined, what: string): void {
    if (this.owner(record) !== caller) throw lmError('AuthorizationException', `Only the account that issued license ${record.current.LicenseArn} may ${what}`);
  }

  /** How much of an entitlement is in use right now. */
  consumed(record: LicenseRecord, name: string): number {
    return record.seats.get(name)?.consumed ?? 0;
  }

  adjust(record: LicenseRecord, name: string, delta: number): void {
    const counter = record.seats.get(name) ?? { consumed: 0, peak: 0 };
    counter.consumed += delta;
    counter.peak = Math.max(counter.peak, counter.consumed);
    record.seats.set(name, counter);
  }

  private checkSignKey(signKey: string | undefined): void {
    if (signKey === undefined) return;
    try {
      const key = this.kms.resolve(signKey);
      if (key.keyUsage !== 'SIGN_VERIFY') throw new Error('usage');
    } catch {
      throw lmError('InvalidParameterValueException', `Issuer.SignKey ${signKey} must be an existing asymmetric KMS key with key usage SIGN_VERIFY`);
    }
  }

  private document(body: Omit<LicenseBody, 'ClientToken' | 'SourceVersion'> & { ProductSKU: string; Beneficiary: string }, version: number): LicenseDocument {
    return {
      LicenseArn: body.LicenseArn,
      LicenseName: body.LicenseName,
      ProductName: body.ProductName,
      ProductSKU: body.ProductSKU,
      Issuer: { ...body.Issuer, KeyFingerprint: this.fingerprint(body.Issuer.Name, accountOf(body.LicenseArn)) },
      HomeRegion: body.HomeRegion,
      Status: body.Status,
      Validity: body.Validity,
      Beneficiary: body.Beneficiary,
      Entitlements: body.Entitlements,
      ConsumptionConfiguration: body.ConsumptionConfiguration,
      ...(body.LicenseMetadata ? { LicenseMetadata: body.LicenseMetadata } : {}),
      CreateTime: this.clock.format(this.clock.now()),
      Version: String(version),
    };
  }

  /** The license lives in the caller's account, which is its issuer's (and the fingerprint's). */
  createLicense(raw: unknown, caller: string = this.accountId): unknown {
    const input = validate(createLicenseShape, raw);
    return this.idempotency.run('CreateLicense', input.ClientToken, input, () => {
      checkEntitlements(input.Entitlements);
      const window = validityWindow(input.Validity);
      this.checkSignKey(input.Issuer.SignKey);
      const licenseArn = `arn:aws:license-manager::${caller}:license:l-${randomHex(16)}`;
      const doc = this.document({ ...input, LicenseArn: licenseArn, Status: 'AVAILABLE' }, 1);
      this.licenses.set(licenseArn, { versions: [doc], current: doc, ...window, seats: new Map() });
      return { LicenseArn: licenseArn, Status: doc.Status, Version: doc.Version };
    }).result;
  }

  createLicenseVersion(raw: unknown, caller: string = this.accountId): unknown {
    const input = validate(createLicenseVersionShape, raw);
    return this.idempotency.run('CreateLicenseVersion', input.ClientToken, input, () => {
      const record = this.licenses.get(input.LicenseArn);
      if (!record) throw lmError('ResourceNotFoundException', `License ${input.LicenseArn} does not exist`);
      this.owned(record, caller, 'create a version of it');
      if (input.SourceVersion !== undefined && input.SourceVersion !== record.current.Version) {
        throw lmError('ConflictException', `SourceVersion ${input.SourceVersion} does not match the license's current version ${record.current.Version}`);
      }
      if (record.current.Status === 'DELETED' || input.Status === 'DELETED' || input.Status === 'PENDING_DELETE') {
        throw validationError(`A new version cannot move a license to or from status ${record.current.Status === 'DELETED' ? 'DELETED' : input.Status}`);
      }
      checkEntitlements(input.Entitlements);
      const window = validityWindow(input.Validity);
      this.checkSignKey(input.Issuer.SignKey);
      const doc = this.document({ ...input, ProductSKU: record.current.ProductSKU, Beneficiary: record.current.Beneficiary }, record.versions.length + 1);
      record.versions.push(doc);
      record.current = doc;
      Object.assign(record, window);
      return { LicenseArn: doc.LicenseArn, Version: doc.Version, Status: doc.Status };
    }).result;
  }

  /**
   * `canRead`: its issuer, or an account it was granted to. Any other account is told the license
   * does not exist, as for an unknown ARN, so its existence does not leak.
   */
  getLicense(raw: unknown, canRead: (r: LicenseRecord) => boolean = () => true): unknown {
    const input = validate(getLicenseShape, raw);
    const record = this.licenses.get(input.LicenseArn);
    if (!record || !canRead(record)) throw notFound(input.LicenseArn);
    const doc = input.Version === undefined ? record.current : record.versions.find((v) => v.Version === input.Version);
    if (!doc) throw lmError('InvalidParameterValueException', `Version ${input.Version} of license ${input.LicenseArn} does not exist`);
    return { License: this.shown(record, doc, this.clock.now()) };
  }

  /** The caller's own licenses; received ones are ListReceivedLicenses'. */
  listLicenses(raw: unknown, caller: string = this.accountId): unknown {
    const input = validate(listLicensesShape, raw);
    const filters = filtersOf<LicenseDocument>(input.Filters, {
      Beneficiary: (d) => d.Beneficiary,
      ProductSKU: (d) => d.ProductSKU,
      Fingerprint: (d) => d.Issuer.KeyFingerprint,
      Status: (d) => d.Status,
    }, (m) => lmError('InvalidParameterValueException', m));
    const now = this.clock.now();
    const matching = this.all()
      .filter((r) => this.owner(r) === caller)
      .map((r) => this.shown(r, r.current, now))
      .filter((d) => !input.LicenseArns || input.LicenseArns.includes(d.LicenseArn))
      .filter((d) => filters.every((matches) => matches(d)));
    const { items, NextToken } = page(matching, input);
    return { Licenses: items, ...(NextToken ? { NextToken } : {}) };
  }

  deleteLicense(raw: unknown, caller: string = this.accountId): unknown {
    const input = validate(deleteLicenseShape, raw);
    const record = this.licenses.get(input.LicenseArn);
    if (!record) throw notFound(input.LicenseArn);
    this.owned(record, caller, 'delete it');
    if (record.current.Status === 'DELETED') throw lmError('ConflictException', `License ${input.LicenseArn} is already deleted`);
    if (input.SourceVersion !== record.current.Version) {
      throw lmError('ConflictException', `SourceVersion ${input.SourceVersion} does not match the license's current version ${record.current.Version}`);
    }
    record.current = { ...record.current, Status: 'DELETED' };
    record.versions[record.versions.length - 1] = record.current;
    return { Status: 'DELETED', DeletionDate: this.clock.format(this.clock.now()) };
  }

  getLicenseUsage(raw: unknown, canRead: (r: LicenseRecord) => boolean = () => true): unknown {
    const input = validate(licenseArnShape, raw);
    const record = this.licenses.get(input.LicenseArn);
    if (!record || !canRead(record)) throw notFound(input.LicenseArn);
    return {
      LicenseUsage: {
        EntitlementUsages: record.current.Entitlements.map((e) => ({
          Name: e.Name,
          ConsumedValue: String(this.consumed(record, e.Name)),
          ...(e.MaxCount !== undefined ? { MaxCount: String(e.MaxCount) } : {}),
          Unit: e.Unit,
        })),
      },
    };
  }

  stats(): LicenseStats[] {
    return this.all().map((r) => ({
      licenseArn: r.current.LicenseArn,
      productSku: r.current.ProductSKU,
      status: this.statusAt(r, this.clock.now()),
      entitlements: Object.fromEntries(
        r.current.Entitlements.map((e) => [
          e.Name,
          {
            name: e.Name,
            unit: e.Unit,
            ...(e.MaxCount !== undefined ? { maxCount: e.MaxCount } : {}),
            consumed: this.consumed(r, e.Name),
            peak: r.seats.get(e.Name)?.peak ?? 0,
          },
        ]),
      ),
    }));
  }
}
