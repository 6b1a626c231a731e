/**
 * ClientToken idempotency: the same token with the same request replays the first
 * successful answer and does nothing else; failures are not remembered, so a retry after
 * an error really runs again. A reused token with a different request is rejected.
 */
import { validationError } from './errors.js';

/** Key order must not matter when comparing two requests. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export class IdempotencyCache {
  private readonly answers = new Map<string, { request: string; result: unknown }>();

  /** Must be called with a synchronous `run`, so check-and-store cannot interleave with another request. */
  run<T>(operation: string, clientToken: string, request: unknown, run: () => T): { result: T; replay: boolean } {
    const key = `${operation}\u0000${clientToken}`;
    const fingerprint = stableJson(request);
    const previous = this.answers.get(key);
    if (previous) {
      if (previous.request !== fingerprint) {
        throw validationError(`ClientToken '${clientToken}' was already used for a different ${operation} request`);
      }
      return { result: previous.result as T, replay: true };
    }
    const result = run();
    this.answers.set(key, { request: fingerprint, result });
    return { result, replay: false };
  }
}
