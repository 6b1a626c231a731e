/**
 * In-process observation for tests and benchmarks. Events carry opaque consumption ids,
 * never consumption tokens, so stats can be printed or saved without leaking secrets.
 */
export interface GrantedEntitlement {
  name: string;
  /** A feature's is the license's own Value, absent when the license gives none. */
  value?: string;
  unit: string;
}

interface EventBase {
  /** Epoch ms at which the event took effect (an expiry is stamped with the consumption's expiration). */
  time: number;
  licenseArn?: string;
  consumptionId?: string;
}

export type EmulatorEvent =
  | (EventBase & {
      type: 'checkout';
      operation: 'CheckoutLicense' | 'CheckoutBorrowLicense';
      clientToken: string;
      nodeId?: string;
      checkoutType?: string;
      granted?: GrantedEntitlement[];
      /** The AWS error code when the checkout was refused. */
      error?: string;
      /** True when the answer was replayed for a repeated ClientToken (nothing consumed). */
      replay?: boolean;
    })
  | (EventBase & { type: 'check-in'; nodeId?: string })
  | (EventBase & { type: 'extend'; expiration: number; dryRun: boolean })
  | (EventBase & { type: 'expiry'; nodeId?: string });

export interface OperationStats {
  total: number;
  faulted: number;
  throttled: number;
  serverErrors: number;
  resets: number;
  /** Carried out, then answered with a server error or a dropped connection (server-error-after, reset-after). */
  answersLost: number;
  /** Refused with RateLimitExceededException by a rate limit (not counted as faulted). */
  rateLimited: number;
}

export interface EntitlementStats {
  name: string;
  unit: string;
  maxCount?: number;
  consumed: number;
  peak: number;
}

export interface LicenseStats {
  licenseArn: string;
  productSku: string;
  status: string;
  /** Keyed by entitlement name. */
  entitlements: Record<string, EntitlementStats>;
}

export interface RequestStats {
  /** Every request that named a known operation (faulted or not). */
  total: number;
  faulted: number;
  /** Keyed by operation name, e.g. `CheckoutLicense`, `Sign`, `AssumeRoleWithWebIdentity`. */
  byOperation: Record<string, OperationStats>;
}

export interface EmulatorStats {
  requests: RequestStats;
  /** Keyed by license ARN. */
  licenses: Record<string, LicenseStats>;
  consumptionsCreated: number;
  /** Chronological (sorted by time). */
  events: EmulatorEvent[];
}

export class StatsRecorder {
  private readonly requests = new Map<string, OperationStats>();
  private readonly events: EmulatorEvent[] = [];
  consumptionsCreated = 0;

  request(operation: string, fault: 'throttle' | 'server-error' | 'reset' | 'rate-limit' | undefined): void {
    const s = this.stats(operation);
    s.total += 1;
    if (fault === 'rate-limit') {
      s.rateLimited += 1;
      return;
    }
    if (fault) s.faulted += 1;
    if (fault === 'throttle') s.throttled += 1;
    if (fault === 'server-error') s.serverErrors += 1;
    if (fault === 'reset') s.resets += 1;
    this.requests.set(operation, s);
  }

  /** An operation that ran but whose answer the client never got. */
  answerLost(operation: string): void {
    const s = this.stats(operation);
    s.faulted += 1;
    s.answersLost += 1;
  }

  private stats(operation: string): OperationStats {
    const s = this.requests.get(operation) ?? { total: 0, faulted: 0, throttled: 0, serverErrors: 0, resets: 0, answersLost: 0, rateLimited: 0 };
    this.requests.set(operation, s);
    return s;
  }

  event(e: EmulatorEvent): void {
    this.events.push(e);
  }

  snapshot(licenses: LicenseStats[]): EmulatorStats {
    const byOperation = Object.fromEntries([...this.requests].map(([k, v]) => [k, { ...v }]));
    const all = Object.values(byOperation);
    return {
      requests: { total: all.reduce((n, s) => n + s.total, 0), faulted: all.reduce((n, s) => n + s.faulted, 0), byOperation },
      licenses: Object.fromEntries(licenses.map((l) => [l.licenseArn, l])),
      consumptionsCreated: this.consumptionsCreated,
      // Expiries are noticed lazily and stamped with their real time, so sort (stable) on the way out.
      events: structuredClone(this.events).sort((a, b) => a.time - b.time),
    };
  }
}
