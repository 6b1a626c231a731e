/**
 * Checkouts and what happens to them: CheckoutLicense, CheckoutBorrowLicense,
 * ExtendLicenseConsumption, CheckInLicense, and expiry at IssuedAt + TTL.
 *
 * Atomicity: every handler here is synchronous from the availability check to the
 * commit, and node runs one at a time, so concurrent checkouts can never over-grant.
 */
import { createHash } from 'node:crypto';
import { isoZoneless, type Clock } from './clock.js';
import { AwsError, lmError, validationError } from './errors.js';
import { randomHex } from './ids.js';
import type { IdempotencyCache } from './idempotency.js';
import { encodeJws } from './jwt.js';
import type { KmsEmulator } from './kms.js';
import { checkoutBorrowLicenseShape, checkInShape, checkoutLicenseShape, extendShape } from './license-shapes.js';
import type { GrantBook } from './grants.js';
import type { EntitlementDefinition, LicenseBook, LicenseRecord } from './licenses.js';
import type { GrantedEntitlement, StatsRecorder } from './stats.js';
import { memberError, validate } from './validation.js';

/** Used when a license has no ProvisionalConfiguration (AWS's samples all use 60). */
const DEFAULT_TTL_MINUTES = 60;

interface Consumption {
  /** Opaque id for stats; the token itself never leaves the ledger except in the API answer. */
  id: string;
  token: string;
  license: LicenseRecord;
  /** The account that checked it out: only it may extend or check it in. */
  account: string | undefined;
  kind: 'PROVISIONAL' | 'PERPETUAL' | 'BORROW';
  granted: Array<GrantedEntitlement & { amount: number }>;
  nodeId: string | undefined;
  beneficiary: string | undefined;
  issuedAt: number;
  expiration: number;
}

interface RequestedEntitlement {
  Name: string;
  Value?: string;
  Unit: string;
}

const tokenNotFound = () => lmError('ResourceNotFoundException', 'License consumption token not found');

/** Counted units take a positive number (default 1); `None` entitlements are features, counted per checkout. */
function amountOf(requested: RequestedEntitlement, index: number): number {
  if (requested.Unit === 'None' || requested.Value === undefined) return 1;
  const amount = Number(requested.Value);
  if (!Number.isFinite(amount) || amount <= 0 || requested.Value.trim() === '') {
    throw memberError(`entitlements.${index + 1}.member.value`, `Member must be a positive number for unit ${requested.Unit}`);
  }
  return amount;
}

function checkUniqueNames(requested: RequestedEntitlement[]): void {
  const names = new Set<string>();
  for (const r of requested) {
    if (names.has(r.Name)) throw validationError(`Entitlement '${r.Name}' is requested more than once`);
    names.add(r.Name);
  }
}

export class ConsumptionLedger {
  private readonly active = new Map<string, Consumption>();

  constructor(
    private readonly book: LicenseBook,
    private readonly grants: GrantBook,
    private readonly kms: KmsEmulator,
    private readonly clock: Clock,
    private readonly stats: StatsRecorder,
    private readonly idempotency: IdempotencyCache,
  ) {}

  /** Returns expired PROVISIONAL and borrowed units to the pool, stamping each expiry with its real time. */
  sweep(now: number): void {
    for (const c of this.active.values()) {
      if (c.kind === 'PERPETUAL' || c.expiration > now) continue;
      this.release(c);
      this.stats.event({ type: 'expiry', time: c.expiration, licenseArn: c.license.current.LicenseArn, consumptionId: c.id, ...(c.nodeId ? { nodeId: c.nodeId } : {}) });
    }
  }

  private release(c: Consumption): void {
    this.active.delete(c.token);
    for (const g of c.granted) this.book.adjust(c.license, g.name, -g.amount);
  }

  private available(record: LicenseRecord, requested: RequestedEntitlement, amount: number): EntitlementDefinition | undefined {
    const def = record.current.Entitlements.find((e) => e.Name === requested.Name && e.Unit === requested.Unit);
    if (!def) return undefined;
    if (def.MaxCount === undefined || def.Overage) return def;
    return this.book.consumed(record, def.Name) + amount <= def.MaxCount ? def : undefined;
  }

  /** A feature (Unit None) is granted with the license's own Value (a word such as `Enabled`, or none), never the one asked. */
  private grant(record: LicenseRecord, requested: RequestedEntitlement[]): Consumption['granted'] {
    return requested.flatMap((r, i) => {
      const amount = amountOf(r, i);
      const def = this.available(record, r, amount);
      if (!def) return [];
      const value = r.Unit === 'None' ? def.Value : (r.Value ?? '1');
      return [{ name: r.Name, ...(value === undefined ? {} : { value }), unit: r.Unit, amount }];
    });
  }

  private commit(fields: Omit<Consumption, 'id' | 'token' | 'issuedAt' | 'expiration'>, now: number, ttlMinutes: number): Consumption {
    const c: Consumption = { ...fields, id: `c-${randomHex(8)}`, token: randomHex(16), issuedAt: now, expiration: now + this.clock.minutes(ttlMinutes) };
    for (const g of c.granted) this.book.adjust(c.license, g.name, g.amount);
    this.active.set(c.token, c);
    this.stats.consumptionsCreated += 1;
    return c;
  }

  /** The borrowed-token payload exactly as AWS publishes it (camelCase, zone-less UTC). */
  private signedToken(c: Consumption, signKey: string, metadata: Array<{ Name?: string; Value?: string }> = []): string {
    const key = this.kms.resolve(signKey);
    const payload = {
      licenseArn: c.license.current.LicenseArn,
      licenseConsumptionToken: c.token,
      entitlementsAllowed: c.granted.map(({ name, value, unit }) => ({ name, ...(value === undefined ? {} : { value }), unit })),
      ...(c.nodeId !== undefined ? { nodeId: c.nodeId } : {}),
      issuedAt: isoZoneless(c.issuedAt),
      expiration: isoZoneless(c.expiration),
      checkoutMetadata: Object.fromEntries(metadata.map((m) => [m.Name ?? '', m.Value ?? ''])),
    };
    return encodeJws({ alg: 'PS384', typ: 'JWT' }, payload, (input) =>
      this.kms.signDigest(key, 'RSASSA_PSS_SHA_384', createHash('sha384').update(input).digest()),
    );
  }

  private answer(c: Consumption): Record<string, unknown> {
    return {
      LicenseArn: c.license.current.LicenseArn,
      LicenseConsumptionToken: c.token,
      EntitlementsAllowed: c.granted.map(({ name, value, unit }) => ({ Name: name, ...(value === undefined ? {} : { Value: value }), Unit: unit })),
      ...(c.nodeId !== undefined ? { NodeId: c.nodeId } : {}),
      IssuedAt: this.clock.format(c.issuedAt),
      Expiration: this.clock.format(c.expiration),
    };
  }

  /** Runs a checkout through the idempotency cache and records it (granted, refused or replayed). */
  private recordCheckout(
    operation: 'CheckoutLicense' | 'CheckoutBorrowLicense',
    input: { ClientToken: string; NodeId?: string; CheckoutType?: string },
    run: () => { response: Record<string, unknown>; consumption: Consumption },
  ): unknown {
    const base = { type: 'checkout' as const, operation, clientToken: input.ClientToken, ...(input.NodeId !== undefined ? { nodeId: input.NodeId } : {}) };
    const now = this.clock.now();
    try {
      const { result, replay } = this.idempotency.run(operation, input.ClientToken, input, run);
      const c = result.consumption;
      this.stats.event({
        ...base,
        time: replay ? now : c.issuedAt,
        licenseArn: c.license.current.LicenseArn,
        consumptionId: c.id,
        checkoutType: c.kind,
        granted: c.granted.map(({ name, value, unit }) => ({ name, ...(value === undefined ? {} : { value }), unit })),
        ...(replay ? { replay: true } : {}),
      });
      return result.response;
    } catch (e) {
      if (e instanceof AwsError) this.stats.event({ ...base, time: now, ...(input.CheckoutType ? { checkoutType: input.CheckoutType } : {}), error: e.code });
      throw e;
    }
  }

  /**
   * `callerAccount`: the account the request's credentials belong to. The API reference: "If the
   * account that created the license is the same that is performing the check out, you must
   * specify the account as the beneficiary"; without it AWS refuses as opaquely as ever.
   */
  checkoutLicense(raw: unknown, callerAccount?: string): unknown {
    const input = validate(checkoutLicenseShape, raw);
    return this.recordCheckout('CheckoutLicense', input, () => {
      checkUniqueNames(input.Entitlements);
      const now = this.clock.now();
      this.sweep(now);
      // The issuer's own licenses, and those granted to the caller by an ACTIVE grant that allows checkouts.
      const consumable = (r: LicenseRecord) =>
        this.book.owner(r) === callerAccount
          ? input.Beneficiary === callerAccount
          : this.grants.allows(r, callerAccount, 'CheckoutLicense') && (input.Beneficiary === undefined || r.current.Beneficiary === input.Beneficiary);
      const candidates = this.book
        .all()
        .filter((r) => r.current.ProductSKU === input.ProductSKU && r.current.Issuer.KeyFingerprint === input.KeyFingerprint)
        .filter(consumable)
        .filter((r) => this.book.isUsable(r, now));
      // Licenses with the same SKU and issuer cannot be told apart: AWS takes the most recently
      // created one (aws/aws-sdk#506), even when an older one could have granted.
      const license = candidates.at(-1);
      if (!license) throw lmError('NoEntitlementsAllowedException', 'No Entitlements Allowed');
      const granted = this.grant(license, input.Entitlements);
      if (granted.length === 0) throw lmError('NoEntitlementsAllowedException', 'No Entitlements Allowed');
      const config = license.current.ConsumptionConfiguration.ProvisionalConfiguration;
      const c = this.commit(
        { license, account: callerAccount, kind: input.CheckoutType === 'PERPETUAL' ? 'PERPETUAL' : 'PROVISIONAL', granted, nodeId: input.NodeId, beneficiary: input.Beneficiary },
        now,
        config?.MaxTimeToLiveInMinutes ?? DEFAULT_TTL_MINUTES,
      );
      const signKey = license.current.Issuer.SignKey;
      const response = { ...this.answer(c), CheckoutType: input.CheckoutType, ...(signKey ? { SignedToken: this.signedToken(c, signKey) } : {}) };
      return { response, consumption: c };
    });
  }

  checkoutBorrowLicense(raw: unknown, callerAccount?: string): unknown {
    const input = validate(checkoutBorrowLicenseShape, raw);
    if (input.DigitalSignatureMethod !== 'JWT_PS384') {
      throw lmError('UnsupportedDigitalSignatureMethodException', `Digital signature method ${input.DigitalSignatureMethod} is not supported; use JWT_PS384`);
    }
    return this.recordCheckout('CheckoutBorrowLicense', input, () => {
      checkUniqueNames(input.Entitlements);
      const now = this.clock.now();
      this.sweep(now);
      const license = this.book.get(input.LicenseArn);
      const owned = license !== undefined && this.book.owner(license) === callerAccount;
      if (!license || !(owned || this.grants.sees(license, callerAccount))) throw lmError('ResourceNotFoundException', `License ${input.LicenseArn} does not exist`);
      if (!owned && !this.grants.allows(license, callerAccount, 'CheckoutBorrowLicense')) throw lmError('NoEntitlementsAllowedException', 'No Entitlements Allowed');
      if (!this.book.isUsable(license, now)) {
        throw lmError('NoEntitlementsAllowedException', `No Entitlements Allowed: license status is ${license.current.Status} or outside its validity period`);
      }
      const borrow = license.current.ConsumptionConfiguration.BorrowConfiguration;
      if (!borrow) throw validationError('The license has no BorrowConfiguration, so it cannot be borrowed');
      const signKey = license.current.Issuer.SignKey;
      if (!signKey) throw validationError('The license has no Issuer.SignKey to sign a borrowed token with');
      // All or nothing. Not in the license at all: EntitlementNotAllowed; in it but used up:
      // NoEntitlementsAllowed, which is what users report for an exhausted count (aws/aws-sdk#507).
      const unknown = input.Entitlements.find((r) => !license.current.Entitlements.some((e) => e.Name === r.Name && e.Unit === r.Unit));
      if (unknown) throw lmError('EntitlementNotAllowedException', `Entitlement ${unknown.Name} (${unknown.Unit}) is not allowed by the license`);
      const granted = this.grant(license, input.Entitlements);
      if (granted.length < input.Entitlements.length) throw lmError('NoEntitlementsAllowedException', 'No Entitlements Allowed');
      const c = this.commit({ license, account: callerAccount, kind: 'BORROW', granted, nodeId: input.NodeId, beneficiary: undefined }, now, borrow.MaxTimeToLiveInMinutes);
      const response = {
        ...this.answer(c),
        SignedToken: this.signedToken(c, signKey, input.CheckoutMetadata),
        ...(input.CheckoutMetadata ? { CheckoutMetadata: input.CheckoutMetadata } : {}),
      };
      return { response, consumption: c };
    });
  }

  /** Another account's consumption is as unknown to the caller as a token never issued. */
  private find(token: string, now: number, callerAccount: string | undefined): Consumption {
    this.sweep(now);
    const c = this.active.get(token);
    if (!c || c.account !== callerAccount) throw tokenNotFound();
    return c;
  }

  extendLicenseConsumption(raw: unknown, callerAccount?: string): unknown {
    const input = validate(extendShape, raw);
    const now = this.clock.now();
    const c = this.find(input.LicenseConsumptionToken, now, callerAccount);
    if (c.kind === 'BORROW') throw validationError('A borrowed license consumption cannot be extended: its signed token carries a fixed expiration');
    // The sample README: an extension "verifies the validity" of the license. Of the operation's
    // model errors the token is found and well formed, so the refusal is a ValidationException.
    if (!this.book.isUsable(c.license, now)) {
      throw validationError(`License ${c.license.current.LicenseArn} is ${this.book.statusAt(c.license, now)}: the consumption cannot be extended`);
    }
    if (this.book.owner(c.license) !== callerAccount && !this.grants.allows(c.license, callerAccount, 'ExtendConsumptionLicense')) {
      throw validationError(`No ACTIVE grant of license ${c.license.current.LicenseArn} allows this account to extend its consumption`);
    }
    const ttl = c.license.current.ConsumptionConfiguration.ProvisionalConfiguration?.MaxTimeToLiveInMinutes ?? DEFAULT_TTL_MINUTES;
    const expiration = now + this.clock.minutes(ttl);
    const dryRun = input.DryRun === true;
    if (!dryRun) c.expiration = expiration;
    this.stats.event({ type: 'extend', time: now, licenseArn: c.license.current.LicenseArn, consumptionId: c.id, expiration, dryRun });
    return { LicenseConsumptionToken: c.token, Expiration: this.clock.format(expiration) };
  }

  /** Returning units needs no active grant: a deactivated grant must not keep a seat held. */
  checkInLicense(raw: unknown, callerAccount?: string): unknown {
    const input = validate(checkInShape, raw);
    const now = this.clock.now();
    const c = this.find(input.LicenseConsumptionToken, now, callerAccount);
    if (input.Beneficiary !== undefined && c.beneficiary !== undefined && input.Beneficiary !== c.beneficiary) {
      throw validationError('Beneficiary does not match the beneficiary of the license consumption');
    }
    if (c.kind === 'PERPETUAL') throw lmError('ConflictException', 'A PERPETUAL license consumption is consumed for good and cannot be checked in');
    const borrow = c.license.current.ConsumptionConfiguration.BorrowConfiguration;
    if (c.kind === 'BORROW' && !borrow?.AllowEarlyCheckIn) {
      throw lmError('ConflictException', 'Early check-in is not allowed for this borrowed license (BorrowConfiguration.AllowEarlyCheckIn is false)');
    }
    const blocked = c.granted.find((g) => !c.license.current.Entitlements.find((e) => e.Name === g.name)?.AllowCheckIn);
    if (blocked) throw lmError('ConflictException', `Check-in is not allowed for entitlement ${blocked.name} (AllowCheckIn is false)`);
    this.release(c);
    this.stats.event({ type: 'check-in', time: now, licenseArn: c.license.current.LicenseArn, consumptionId: c.id, ...(c.nodeId ? { nodeId: c.nodeId } : {}) });
    return {};
  }
}
