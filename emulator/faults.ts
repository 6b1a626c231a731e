/**
 * Fault injection: throttling, server errors, connection resets and latency, drawn from a
 * seedable PRNG so a benchmark run can be replayed exactly.
 */
export interface FaultSpec {
  /** Probability (0..1) of a throttling answer (License Manager: RateLimitExceededException, HTTP 400 unless throttleStatus says 429). */
  throttle?: number;
  /** Probability of a server error (License Manager: 500 ServerInternalException). */
  serverError?: number;
  /** Probability that the socket is destroyed before any response. */
  reset?: number;
  /**
   * Probability that a request is carried out (its effect kept) and its answer then replaced by a
   * server error: the client retries something that already happened.
   */
  serverErrorAfter?: number;
  /** Probability that a request is carried out and the connection then dropped before the answer. */
  resetAfter?: number;
  /** Delay before every request is processed, in ms. */
  latencyMs?: number;
  /** PRNG seed; without one, draws are not reproducible. */
  seed?: number;
}

export type Fault = 'throttle' | 'server-error' | 'reset';
/** A fault that strikes after the operation ran: its effect is kept, its answer lost. */
export type LostAnswer = 'server-error-after' | 'reset-after';

const KNOBS: Record<string, keyof FaultSpec> = {
  throttle: 'throttle',
  'server-error': 'serverError',
  reset: 'reset',
  'server-error-after': 'serverErrorAfter',
  'reset-after': 'resetAfter',
  'latency-ms': 'latencyMs',
  seed: 'seed',
};

/** Parses `throttle=0.3,server-error=0.1,reset=0.05,server-error-after=0.2,reset-after=0.1,latency-ms=40,seed=7`; errors name the knob. */
export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name = '', raw, ...rest] = part.split('=');
    const key = KNOBS[name.trim()];
    if (!key) throw new Error(`unknown fault '${name}' (expected one of ${Object.keys(KNOBS).join(', ')})`);
    const value = Number(raw);
    if (raw === undefined || rest.length > 0 || raw.trim() === '' || !Number.isFinite(value)) {
      throw new Error(`fault '${name}' needs a number, got '${part}'`);
    }
    spec[key] = value;
  }
  return checkFaults(spec);
}

function checkFaults(spec: FaultSpec): FaultSpec {
  for (const key of ['throttle', 'serverError', 'reset', 'serverErrorAfter', 'resetAfter'] as const) {
    const p = spec[key];
    if (p !== undefined && !(p >= 0 && p <= 1)) throw new Error(`fault '${key}' must be a probability between 0 and 1, got ${p}`);
  }
  if ((spec.throttle ?? 0) + (spec.serverError ?? 0) + (spec.reset ?? 0) > 1) {
    throw new Error('fault probabilities throttle + server-error + reset must not exceed 1');
  }
  if ((spec.serverErrorAfter ?? 0) + (spec.resetAfter ?? 0) > 1) throw new Error('fault probabilities server-error-after + reset-after must not exceed 1');
  if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) throw new Error(`fault 'latency-ms' must be >= 0, got ${spec.latencyMs}`);
  if (spec.seed !== undefined && !Number.isInteger(spec.seed)) throw new Error(`fault 'seed' must be an integer, got ${spec.seed}`);
  return spec;
}

/** mulberry32: tiny, fast, and good enough to spread faults evenly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private spec: FaultSpec = {};
  private random: () => number = Math.random;

  constructor(spec?: FaultSpec | string) {
    this.set(spec);
  }

  /** Replaces the faults; a seed restarts the PRNG so the sequence from here on is reproducible. */
  set(spec: FaultSpec | string | undefined): void {
    this.spec = spec === undefined ? {} : typeof spec === 'string' ? parseFaults(spec) : checkFaults({ ...spec });
    this.random = this.spec.seed === undefined ? Math.random : mulberry32(this.spec.seed);
  }

  get latencyMs(): number {
    return this.spec.latencyMs ?? 0;
  }

  /** One draw per request decides which fault (if any) it gets. */
  draw(): Fault | undefined {
    const { reset = 0, throttle = 0, serverError = 0 } = this.spec;
    if (reset + throttle + serverError === 0) return undefined;
    const r = this.random();
    if (r < reset) return 'reset';
    if (r < reset + throttle) return 'throttle';
    if (r < reset + throttle + serverError) return 'server-error';
    return undefined;
  }

  /** A second draw, once the operation has run: whether its answer is lost. Without after-faults no number is drawn, so other seeded sequences stay as they were. */
  drawAfter(): LostAnswer | undefined {
    const { serverErrorAfter = 0, resetAfter = 0 } = this.spec;
    if (serverErrorAfter + resetAfter === 0) return undefined;
    const r = this.random();
    if (r < resetAfter) return 'reset-after';
    if (r < resetAfter + serverErrorAfter) return 'server-error-after';
    return undefined;
  }
}
