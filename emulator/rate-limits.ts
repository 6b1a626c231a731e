/**
 * Request-rate limits as AWS applies them (EC2 documents it: a token bucket per account and
 * Region, refilled every second). License Manager publishes no rates, so none apply unless asked
 * for: `--rate-limit CheckoutLicense=5` gives that operation a bucket of 5 refilled at 5 per
 * second; `--rate-limit '*=10'` an account-wide bucket every operation draws on. A request must
 * find a token in each bucket that applies to it. Seconds are the emulator's (scaled by
 * `--minute-ms`, like TTLs), so a time-scaled fleet meets the same limits per emulated second.
 */
export type RateLimits = Readonly<Record<string, number>>;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** `CheckoutLicense=5` or `*=10`; errors name the part at fault. */
export function parseRateLimit(text: string): [string, number] {
  const eq = text.lastIndexOf('=');
  const operation = text.slice(0, eq).trim();
  const rate = Number(text.slice(eq + 1));
  if (eq < 1 || !(operation === '*' || /^[A-Z][A-Za-z]+$/.test(operation))) throw new Error(`expected OPERATION=N or *=N, got '${text}'`);
  if (!(Number.isFinite(rate) && rate > 0)) throw new Error(`'${operation}' needs a positive number of requests per second, got '${text.slice(eq + 1)}'`);
  return [operation, rate];
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimits,
    /** Real milliseconds per emulated second. */
    private readonly secondMs: number,
  ) {}

  get active(): boolean {
    return Object.keys(this.limits).length > 0;
  }

  /** Takes a token from every bucket that applies, or none (and answers false) when one is empty. */
  take(account: string, operation: string, nowMs: number): boolean {
    const applying = [operation, '*'].filter((k) => this.limits[k] !== undefined).map((k) => [`${account}\u0000${k}`, this.limits[k]!] as const);
    const buckets = applying.map(([key, rate]) => this.refilled(key, rate, nowMs));
    if (buckets.some((b) => b.tokens < 1)) return false;
    for (const b of buckets) b.tokens -= 1;
    return true;
  }

  /** A bucket holds at least one token, so a rate below one a second still admits a request now and then. */
  private refilled(key: string, rate: number, nowMs: number): Bucket {
    const size = Math.max(1, rate);
    const b = this.buckets.get(key) ?? { tokens: size, updatedMs: nowMs };
    b.tokens = Math.min(size, b.tokens + ((nowMs - b.updatedMs) / this.secondMs) * rate);
    b.updatedMs = nowMs;
    this.buckets.set(key, b);
    return b;
  }
}
