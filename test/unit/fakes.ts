// Fakes for the core unit tests: a recording ActionIO, a virtual clock, and a tiny in-memory
// License Manager that grants seats per entitlement, refuses when they are exhausted, honours
// ClientToken idempotency and can be told to fail the next calls of an operation.
import { randomBytes } from 'node:crypto';
import type { AwsSettings } from '../../src/aws/client-config.js';
import type {
  BorrowRequest,
  CheckoutRequest,
  Consumption,
  EntitlementUsage,
  LicenseDetails,
  LicenseService,
  ReceivedGrant,
} from '../../src/aws/license-manager.js';
import type { GrantedEntitlement } from '../../src/entitlements.js';
import { AwsFailure } from '../../src/failure.js';
import type { ActionIO } from '../../src/io.js';

export type IOEventKind = 'info' | 'warning' | 'error' | 'failed' | 'output' | 'secret' | 'state' | 'summary';

export interface IOEvent {
  kind: IOEventKind;
  name?: string;
  text: string;
}

/** A recording ActionIO: every call becomes an event, in order. */
export class FakeIO implements ActionIO {
  readonly events: IOEvent[] = [];
  readonly outputs: Record<string, string> = {};
  /** What saveState wrote (what the post step of the same action would read). */
  readonly saved: Record<string, string> = {};
  readonly env: Record<string, string | undefined>;

  constructor(
    readonly inputs: Record<string, string> = {},
    env: Record<string, string | undefined> = {},
    /** What getState returns (STATE_* as the runner hands it to the post step). */
    readonly stateIn: Record<string, string> = {},
  ) {
    this.env = env;
  }

  getInput(name: string): string {
    return this.inputs[name] ?? '';
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
    this.events.push({ kind: 'output', name, text: value });
  }
  setSecret(value: string): void {
    this.events.push({ kind: 'secret', text: value });
  }
  saveState(name: string, value: string): void {
    this.saved[name] = value;
    this.events.push({ kind: 'state', name, text: value });
  }
  getState(name: string): string {
    return this.stateIn[name] ?? '';
  }
  info(line: string): void {
    this.events.push({ kind: 'info', text: line });
  }
  warning(line: string): void {
    this.events.push({ kind: 'warning', text: line });
  }
  error(line: string): void {
    this.events.push({ kind: 'error', text: line });
  }
  setFailed(line: string): void {
    this.events.push({ kind: 'failed', text: line });
  }
  async appendSummary(markdown: string): Promise<void> {
    this.events.push({ kind: 'summary', text: markdown });
  }

  lines(kind: IOEventKind): string[] {
    return this.events.filter((e) => e.kind === kind).map((e) => e.text);
  }
  get failed(): string | undefined {
    return this.lines('failed')[0];
  }
  get summary(): string {
    return this.lines('summary').join('\n');
  }
  get secrets(): string[] {
    return this.lines('secret');
  }
  /** Everything a person could read in the log or the summary (not outputs, not state). */
  get printed(): string {
    return this.events
      .filter((e) => e.kind === 'info' || e.kind === 'warning' || e.kind === 'error' || e.kind === 'failed' || e.kind === 'summary')
      .map((e) => e.text)
      .join('\n');
  }
  /** Index of the first event that shows `secret` in text a runner prints or stores as an output. */
  firstExposure(secret: string): number {
    return this.events.findIndex((e) => e.kind !== 'secret' && e.kind !== 'state' && e.text.includes(secret));
  }
  maskIndex(secret: string): number {
    return this.events.findIndex((e) => e.kind === 'secret' && e.text === secret);
  }
}

/** Virtual time: sleep advances the clock at once; hooks run after each sleep. */
export class VirtualClock {
  readonly sleeps: number[] = [];
  readonly afterSleep: Array<(n: number) => void> = [];
  constructor(public t = Date.parse('2025-03-01T12:00:00Z')) {}
  now = (): number => this.t;
  sleep = async (ms: number, _signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
    for (const hook of this.afterSleep) hook(this.sleeps.length);
  };
}

export interface FakeEntitlement {
  name: string;
  unit?: string;
  /** Counted entitlements; a feature (unit None) has none. */
  maxCount?: number;
  /** A feature's own value, such as `Enabled`. */
  value?: string;
  allowCheckIn?: boolean;
}

export interface FakeLicenseOptions {
  licenseArn?: string;
  productSku?: string;
  keyFingerprint?: string;
  issuerName?: string;
  status?: string;
  entitlements: FakeEntitlement[];
  provisionalTtlMinutes?: number | null;
  borrow?: { allowEarlyCheckIn: boolean; ttlMinutes: number };
  validityBegin?: string;
  validityEnd?: string;
  /** Checkouts are refused unless they name this Beneficiary (the job runs in the creating account). */
  beneficiaryRequired?: string;
}

interface Held {
  token: string;
  licenseArn: string;
  granted: GrantedEntitlement[];
  checkoutType: 'PROVISIONAL' | 'PERPETUAL' | 'BORROW';
  nodeId: string;
  beneficiary?: string;
  active: boolean;
}

type Operation = 'getLicense' | 'getUsage' | 'receivedGrants' | 'checkout' | 'borrow' | 'extend' | 'checkIn';

/** AWS's answer when nothing can be granted. */
export const noEntitlements = (operation = 'CheckoutLicense') =>
  new AwsFailure('not-entitled', operation, 'NoEntitlementsAllowedException', 'No entitlements are allowed for the given request');
export const throttled = (operation = 'CheckoutLicense') =>
  new AwsFailure('unavailable', operation, 'RateLimitExceededException', 'Rate exceeded');

/** A tiny License Manager: seats per entitlement, consumptions by token, idempotent ClientToken. */
export class FakeLicenseManager {
  readonly licenses: LicenseDetails[] = [];
  readonly consumptions = new Map<string, Held>();
  readonly byClientToken = new Map<string, Consumption>();
  readonly calls: Array<{ op: Operation; arg: unknown }> = [];
  readonly settings: AwsSettings[] = [];
  /** What ListReceivedGrants answers (the caller's account's grants). */
  readonly grants: ReceivedGrant[] = [];
  destroyed = 0;
  private readonly failures = new Map<Operation, Error[]>();
  private readonly featureValues = new Map<string, string>();
  /** Licenses whose checkouts must name this Beneficiary (the caller created them). */
  private readonly creatorBeneficiary = new Map<string, string>();

  constructor(readonly now: () => number = Date.now) {}

  addLicense(o: FakeLicenseOptions): LicenseDetails {
    const n = this.licenses.length + 1;
    const license: LicenseDetails = {
      licenseArn: o.licenseArn ?? `arn:aws:license-manager::111122223333:license:l-${String(n).padStart(32, '0')}`,
      productSku: o.productSku ?? `SKU-${n}`,
      productName: `Product ${n}`,
      issuerName: o.issuerName ?? 'Example ISV',
      keyFingerprint: o.keyFingerprint ?? 'aws:111122223333:Example ISV:issuer-fingerprint',
      status: o.status ?? 'AVAILABLE',
      validityBegin: o.validityBegin,
      validityEnd: o.validityEnd,
      entitlements: o.entitlements.map((e) => ({ name: e.name, unit: e.unit ?? 'Count', maxCount: e.maxCount, overage: false, allowCheckIn: e.allowCheckIn ?? true })),
      provisionalTtlMinutes: o.provisionalTtlMinutes === null ? undefined : (o.provisionalTtlMinutes ?? 60),
      borrow: o.borrow,
    };
    this.licenses.push(license);
    for (const e of o.entitlements) if (e.value !== undefined) this.featureValues.set(`${license.licenseArn}/${e.name}`, e.value);
    if (o.beneficiaryRequired !== undefined) this.creatorBeneficiary.set(license.licenseArn, o.beneficiaryRequired);
    return license;
  }

  /** The next `times` calls of `op` fail with `error` before doing anything. */
  failNext(op: Operation, error: Error, times = 1): void {
    const list = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.failures.set(op, list);
  }

  /** Units of `name` held by active consumptions (of one license, or any). */
  held(name?: string, licenseArn?: string): number {
    let sum = 0;
    for (const c of this.consumptions.values()) {
      if (!c.active || (licenseArn && c.licenseArn !== licenseArn)) continue;
      for (const g of c.granted) if (name === undefined || g.name === name) sum += Number(g.value);
    }
    return sum;
  }

  /** Active consumptions other than PERPETUAL ones: what a leak looks like. */
  heldSeats(): number {
    return [...this.consumptions.values()].filter((c) => c.active && c.checkoutType !== 'PERPETUAL').length;
  }

  activeTokens(): string[] {
    return [...this.consumptions.values()].filter((c) => c.active).map((c) => c.token);
  }

  ops(): Operation[] {
    return this.calls.map((c) => c.op);
  }

  /** Takes seats directly, as another job would. Returns the consumption token. */
  occupy(licenseArn: string, name: string, value = 1): string {
    const token = newToken();
    this.consumptions.set(token, { token, licenseArn, granted: [{ name, value: String(value), unit: 'Count' }], checkoutType: 'PROVISIONAL', nodeId: 'other-job', active: true });
    return token;
  }

  release(token: string): void {
    const c = this.consumptions.get(token);
    if (c) c.active = false;
  }

  service = (settings: AwsSettings): LicenseService => {
    this.settings.push(settings);
    const call = async <T>(op: Operation, arg: unknown, run: () => T): Promise<T> => {
      this.calls.push({ op, arg });
      const failure = this.failures.get(op)?.shift();
      if (failure) throw failure;
      return run();
    };
    return {
      getLicense: (arn) => call('getLicense', arn, () => structuredClone(this.license(arn, 'GetLicense'))),
      getUsage: (arn) => call('getUsage', arn, () => this.usage(arn)),
      receivedGrants: (of) => call('receivedGrants', of, () => this.grants.filter((g) => !('licenseArn' in of) || g.licenseArn === of.licenseArn)),
      checkout: (r) => call('checkout', r, () => this.checkout(r)),
      borrow: (r) => call('borrow', r, () => this.borrowLicense(r)),
      extend: (token) =>
        call('extend', token, () => {
          const c = this.active(token, 'ExtendLicenseConsumption');
          return { consumptionToken: c.token, expiration: this.stamp(this.now() + 60 * 60_000) };
        }),
      checkIn: (token, beneficiary) =>
        call('checkIn', { token, beneficiary }, () => {
          const c = this.active(token, 'CheckInLicense');
          if (c.checkoutType === 'PERPETUAL') {
            throw new AwsFailure('conflict', 'CheckInLicense', 'ConflictException', 'A PERPETUAL consumption cannot be checked in');
          }
          c.active = false;
        }),
      destroy: () => {
        this.destroyed++;
      },
    };
  };

  private license(arn: string, operation: string): LicenseDetails {
    const l = this.licenses.find((x) => x.licenseArn === arn);
    if (!l) throw new AwsFailure('not-found', operation, 'ResourceNotFoundException', `License ${arn} not found`);
    return l;
  }

  private usage(arn: string): EntitlementUsage[] {
    const l = this.license(arn, 'GetLicenseUsage');
    return l.entitlements.map((e) => ({ name: e.name, unit: e.unit, maxCount: e.maxCount, consumed: this.held(e.name, arn) }));
  }

  private active(token: string, operation: string): Held {
    const c = this.consumptions.get(token);
    if (!c || !c.active) throw new AwsFailure('not-found', operation, 'ResourceNotFoundException', 'The consumption does not exist');
    return c;
  }

  private stamp(ms: number): string {
    // Zone-less, as AWS's examples are.
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
  }

  /** What of `asked` fits into the free seats of license `l`. */
  private fit(l: LicenseDetails, asked: CheckoutRequest['entitlements']): GrantedEntitlement[] {
    if (l.status !== 'AVAILABLE') return [];
    return asked.flatMap((a) => {
      const e = l.entitlements.find((x) => x.name === a.name && x.unit === a.unit);
      if (!e) return [];
      // A feature: granted with the license's own value, as AWS does.
      if (a.unit === 'None') return [{ name: a.name, ...(this.featureValues.get(`${l.licenseArn}/${a.name}`) === undefined ? {} : { value: this.featureValues.get(`${l.licenseArn}/${a.name}`) }), unit: 'None' }];
      if (e.maxCount === undefined) return [];
      return this.held(a.name, l.licenseArn) + Number(a.value) <= e.maxCount ? [{ name: a.name, value: a.value, unit: a.unit }] : [];
    });
  }

  private record(licenseArn: string, granted: GrantedEntitlement[], type: Held['checkoutType'], nodeId: string, ttlMinutes: number, beneficiary?: string, signed = false): Consumption {
    const token = newToken();
    this.consumptions.set(token, { token, licenseArn, granted, checkoutType: type, nodeId, beneficiary, active: true });
    return {
      licenseArn,
      consumptionToken: token,
      granted,
      nodeId,
      issuedAt: this.stamp(this.now()),
      expiration: this.stamp(this.now() + ttlMinutes * 60_000),
      signedToken: signed ? `eyJhbGciOiJQUzM4NCJ9.${randomBytes(48).toString('base64url')}.${randomBytes(64).toString('base64url')}` : undefined,
    };
  }

  private checkout(r: CheckoutRequest): Consumption {
    const previous = this.byClientToken.get(r.clientToken);
    if (previous) return structuredClone(previous);
    // The most recently created of same-SKU licenses, as AWS takes it.
    const l = this.licenses.filter((x) => x.productSku === r.productSku && x.keyFingerprint === r.keyFingerprint).at(-1);
    if (!l) throw noEntitlements();
    const needed = this.creatorBeneficiary.get(l.licenseArn);
    if (needed !== undefined && r.beneficiary !== needed) throw noEntitlements();
    const granted = this.fit(l, r.entitlements);
    if (granted.length === 0) throw noEntitlements();
    const c = this.record(l.licenseArn, granted, r.checkoutType, r.nodeId, l.provisionalTtlMinutes ?? 60, r.beneficiary);
    this.byClientToken.set(r.clientToken, c);
    return structuredClone(c);
  }

  private borrowLicense(r: BorrowRequest): Consumption {
    const previous = this.byClientToken.get(r.clientToken);
    if (previous) return structuredClone(previous);
    const l = this.license(r.licenseArn, 'CheckoutBorrowLicense');
    const granted = this.fit(l, r.entitlements);
    if (!l.borrow || granted.length < r.entitlements.length) throw noEntitlements('CheckoutBorrowLicense');
    const c = this.record(l.licenseArn, granted, 'BORROW', r.nodeId, l.borrow.ttlMinutes, undefined, true);
    this.byClientToken.set(r.clientToken, c);
    return structuredClone(c);
  }
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** The environment of a GitHub job. */
export function jobEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_REPOSITORY: 'octo-org/widget',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    GITHUB_ACTION: 'license',
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}
