/**
 * Grants: how a license issued in one account reaches another (the ISV's customer, or AWS
 * Marketplace's buyer). The issuer creates a grant to a principal (PENDING_ACCEPT); the grantee
 * accepts it (DISABLED: "accepted but not yet activated", in the user guide's words) and
 * activates it with a new version whose Status is ACTIVE. Only an ACTIVE grant lets the grantee
 * consume, and only the operations it allows.
 */
import { lmError, validationError } from './errors.js';
import { randomHex } from './ids.js';
import type { IdempotencyCache } from './idempotency.js';
import {
  createGrantShape,
  createGrantVersionShape,
  deleteGrantShape,
  getGrantShape,
  grantArnShape,
  listGrantsShape,
  listReceivedLicensesShape,
  type ALLOWED_OPERATIONS,
  type GRANT_STATUSES,
} from './license-shapes.js';
import type { LicenseBook, LicenseRecord } from './licenses.js';
import { filtersOf, page } from './paging.js';
import { validate } from './validation.js';

export type AllowedOperation = (typeof ALLOWED_OPERATIONS)[number];
type GrantStatus = (typeof GRANT_STATUSES)[number];

/** The Grant structure GetGrant answers, one per version. */
export interface GrantDocument {
  GrantArn: string;
  GrantName: string;
  ParentArn: string;
  LicenseArn: string;
  GranteePrincipalArn: string;
  HomeRegion: string;
  GrantStatus: GrantStatus;
  StatusReason?: string;
  Version: string;
  GrantedOperations: AllowedOperation[];
}

interface GrantRecord {
  versions: GrantDocument[];
  current: GrantDocument;
  granterAccount: string;
  granteeAccount: string;
}

/** `arn:aws:iam::444455556666:root` (or a user or role of that account) → its account. */
const accountOfPrincipal = (principal: string): string | undefined => /^arn:aws[a-zA-Z-]*:iam::(\d{12}):/.exec(principal)?.[1];

/** AcceptGrant's and the others' models have no ResourceNotFound: an unknown grant is an invalid parameter. */
const noSuchGrant = (grantArn: string) => lmError('InvalidParameterValueException', `Grant ${grantArn} does not exist`);
const notYours = (what: string) => lmError('AuthorizationException', `The caller is not allowed to ${what}`);

/** Statuses in which the grantee still sees the license (GetLicense, ListReceivedLicenses). */
const VISIBLE: ReadonlySet<GrantStatus> = new Set(['PENDING_ACCEPT', 'DISABLED', 'ACTIVE', 'PENDING_WORKFLOW', 'WORKFLOW_COMPLETED']);

export class GrantBook {
  private readonly grants = new Map<string, GrantRecord>();

  constructor(
    private readonly book: LicenseBook,
    private readonly idempotency: IdempotencyCache,
  ) {}

  /** The grants of a license to an account, newest first. */
  to(licenseArn: string, account: string | undefined): GrantDocument[] {
    return [...this.grants.values()]
      .filter((g) => g.current.LicenseArn === licenseArn && g.granteeAccount === account)
      .map((g) => g.current)
      .reverse();
  }

  /** Whether `account` may consume `license` with `operation`: it owns it, or an ACTIVE grant allows it. */
  allows(license: LicenseRecord, account: string | undefined, operation: AllowedOperation): boolean {
    return this.to(license.current.LicenseArn, account).some((g) => g.GrantStatus === 'ACTIVE' && g.GrantedOperations.includes(operation));
  }

  /** Whether `account` may read `license`: a grant to it that was neither rejected nor deleted. */
  sees(license: LicenseRecord, account: string | undefined): boolean {
    return this.to(license.current.LicenseArn, account).some((g) => VISIBLE.has(g.GrantStatus));
  }

  private find(grantArn: string): GrantRecord {
    const g = this.grants.get(grantArn);
    if (!g) throw noSuchGrant(grantArn);
    return g;
  }

  private next(g: GrantRecord, change: Partial<GrantDocument>): { GrantArn: string; Status: GrantStatus; Version: string } {
    const doc: GrantDocument = { ...g.current, ...change, Version: String(g.versions.length + 1) };
    g.versions.push(doc);
    g.current = doc;
    return { GrantArn: doc.GrantArn, Status: doc.GrantStatus, Version: doc.Version };
  }

  createGrant(raw: unknown, caller: string | undefined): unknown {
    const input = validate(createGrantShape, raw);
    return this.idempotency.run('CreateGrant', input.ClientToken, input, () => {
      const license = this.book.get(input.LicenseArn);
      if (!license) throw lmError('InvalidParameterValueException', `License ${input.LicenseArn} does not exist`);
      if (this.book.owner(license) !== caller) throw notYours(`grant license ${input.LicenseArn}: only its issuer account may`);
      const principal = input.Principals[0]!;
      const granteeAccount = accountOfPrincipal(principal);
      if (!granteeAccount) throw validationError(`Principal ${principal} is not an AWS account or IAM principal ARN`);
      if (granteeAccount === caller) throw validationError('A license cannot be granted to the account that issued it');
      const grantArn = `arn:aws:license-manager::${caller}:grant:g-${randomHex(16)}`;
      const doc: GrantDocument = {
        GrantArn: grantArn,
        GrantName: input.GrantName,
        ParentArn: input.LicenseArn,
        LicenseArn: input.LicenseArn,
        GranteePrincipalArn: principal,
        HomeRegion: input.HomeRegion,
        GrantStatus: 'PENDING_ACCEPT',
        Version: '1',
        GrantedOperations: [...new Set(input.AllowedOperations)] as AllowedOperation[],
      };
      this.grants.set(grantArn, { versions: [doc], current: doc, granterAccount: caller!, granteeAccount });
      return { GrantArn: grantArn, Status: doc.GrantStatus, Version: doc.Version };
    }).result;
  }

  acceptGrant(raw: unknown, caller: string | undefined): unknown {
    const g = this.find(validate(grantArnShape, raw).GrantArn);
    if (g.granteeAccount !== caller) throw notYours('accept a grant made to another account');
    if (g.current.GrantStatus !== 'PENDING_ACCEPT') throw validationError(`The grant is ${g.current.GrantStatus}; only a PENDING_ACCEPT grant can be accepted`);
    return this.next(g, { GrantStatus: 'DISABLED' });
  }

  rejectGrant(raw: unknown, caller: string | undefined): unknown {
    const g = this.find(validate(grantArnShape, raw).GrantArn);
    if (g.granteeAccount !== caller) throw notYours('reject a grant made to another account');
    if (g.current.GrantStatus !== 'PENDING_ACCEPT' && g.current.GrantStatus !== 'DISABLED') {
      throw validationError(`The grant is ${g.current.GrantStatus}; only a pending or accepted grant can be rejected`);
    }
    return this.next(g, { GrantStatus: 'REJECTED' });
  }

  /**
   * The grantee activates (ACTIVE) or deactivates (DISABLED) an accepted grant; the issuer may
   * change its name and allowed operations, or disable it.
   */
  createGrantVersion(raw: unknown, caller: string | undefined): unknown {
    const input = validate(createGrantVersionShape, raw);
    return this.idempotency.run('CreateGrantVersion', input.ClientToken, input, () => {
      const g = this.find(input.GrantArn);
      const granter = g.granterAccount === caller;
      if (!granter && g.granteeAccount !== caller) throw notYours('change a grant of another account');
      if (input.SourceVersion !== undefined && input.SourceVersion !== g.current.Version) {
        throw validationError(`SourceVersion ${input.SourceVersion} does not match the grant's current version ${g.current.Version}`);
      }
      if (!granter && (input.AllowedOperations || input.GrantName)) throw notYours('change the operations or name of a grant it received');
      // Either side may activate an accepted grant or disable an active one; nothing else moves here.
      const status = input.Status as GrantStatus | undefined;
      const from = g.current.GrantStatus;
      if (status !== undefined && status !== from && !((status === 'ACTIVE' && from === 'DISABLED') || (status === 'DISABLED' && from === 'ACTIVE'))) {
        throw validationError(`A ${from} grant cannot be made ${status}${from === 'PENDING_ACCEPT' ? ': accept it first (AcceptGrant)' : ''}`);
      }
      return this.next(g, {
        ...(status ? { GrantStatus: status } : {}),
        ...(input.StatusReason !== undefined ? { StatusReason: input.StatusReason } : {}),
        ...(input.GrantName ? { GrantName: input.GrantName } : {}),
        ...(input.AllowedOperations ? { GrantedOperations: [...new Set(input.AllowedOperations)] as AllowedOperation[] } : {}),
      });
    }).result;
  }

  getGrant(raw: unknown, caller: string | undefined): unknown {
    const input = validate(getGrantShape, raw);
    const g = this.find(input.GrantArn);
    if (g.granterAccount !== caller && g.granteeAccount !== caller) throw notYours('read a grant of another account');
    const doc = input.Version === undefined ? g.current : g.versions.find((v) => v.Version === input.Version);
    if (!doc) throw lmError('InvalidParameterValueException', `Version ${input.Version} of grant ${input.GrantArn} does not exist`);
    return { Grant: doc };
  }

  deleteGrant(raw: unknown, caller: string | undefined): unknown {
    const input = validate(deleteGrantShape, raw);
    const g = this.find(input.GrantArn);
    if (g.granterAccount !== caller) throw notYours('delete a grant it did not make');
    if (input.Version !== g.current.Version) throw validationError(`Version ${input.Version} does not match the grant's current version ${g.current.Version}`);
    if (g.current.GrantStatus === 'DELETED') throw validationError('The grant is already deleted');
    return this.next(g, { GrantStatus: 'DELETED', ...(input.StatusReason !== undefined ? { StatusReason: input.StatusReason } : {}) });
  }

  private list(raw: unknown, side: 'granterAccount' | 'granteeAccount', caller: string | undefined, fields: Record<string, (g: GrantRecord) => string | undefined>): unknown {
    const input = validate(listGrantsShape, raw);
    const filters = filtersOf<GrantRecord>(input.Filters, fields, (m) => lmError('InvalidParameterValueException', m));
    const matching = [...this.grants.values()]
      .filter((g) => g[side] === caller)
      .filter((g) => !input.GrantArns || input.GrantArns.includes(g.current.GrantArn))
      .filter((g) => filters.every((matches) => matches(g)));
    const { items, NextToken } = page(matching, input);
    return { Grants: items.map((g) => g.current), ...(NextToken ? { NextToken } : {}) };
  }

  private readonly licenseOf = (g: GrantRecord) => this.book.get(g.current.LicenseArn)?.current;

  /** The grants this account received (filters as the model lists them). */
  listReceivedGrants(raw: unknown, caller: string | undefined): unknown {
    return this.list(raw, 'granteeAccount', caller, {
      ProductSKU: (g) => this.licenseOf(g)?.ProductSKU,
      LicenseIssuerName: (g) => this.licenseOf(g)?.Issuer.Name,
      LicenseArn: (g) => g.current.LicenseArn,
      GrantStatus: (g) => g.current.GrantStatus,
      GranterAccountId: (g) => g.granterAccount,
    });
  }

  /** The licenses granted to this account, each with its grant's status and operations (ReceivedMetadata). */
  listReceivedLicenses(raw: unknown, caller: string | undefined): unknown {
    const input = validate(listReceivedLicensesShape, raw);
    const received = this.book
      .all()
      .flatMap((r) => {
        const grant = this.to(r.current.LicenseArn, caller)[0];
        return grant ? [{ ...this.book.view(r), ReceivedMetadata: { ReceivedStatus: grant.GrantStatus, AllowedOperations: grant.GrantedOperations } }] : [];
      })
      .filter((l) => !input.LicenseArns || input.LicenseArns.includes(l.LicenseArn));
    const filters = filtersOf<(typeof received)[number]>(input.Filters, {
      ProductSKU: (l) => l.ProductSKU,
      Status: (l) => l.Status,
      Fingerprint: (l) => l.Issuer.KeyFingerprint,
      IssuerName: (l) => l.Issuer.Name,
      Beneficiary: (l) => l.Beneficiary,
    }, (m) => lmError('InvalidParameterValueException', m));
    const { items, NextToken } = page(received.filter((l) => filters.every((matches) => matches(l))), input);
    return { Licenses: items, ...(NextToken ? { NextToken } : {}) };
  }

  /** The grants this account made. */
  listDistributedGrants(raw: unknown, caller: string | undefined): unknown {
    return this.list(raw, 'granterAccount', caller, {
      LicenseArn: (g) => g.current.LicenseArn,
      GrantStatus: (g) => g.current.GrantStatus,
      GranteePrincipalARN: (g) => g.current.GranteePrincipalArn,
      ProductSKU: (g) => this.licenseOf(g)?.ProductSKU,
      LicenseIssuerName: (g) => this.licenseOf(g)?.Issuer.Name,
    });
  }
}
