import { createHash } from 'node:crypto';
import { flattened } from './quote.js';

/** Who holds a seat: enough to trace any consumption in License Manager back to one job. */
export interface JobIdentity {
  repository: string;
  runId: string;
  runAttempt: string;
  job: string;
  /** The step's id (GITHUB_ACTION): two uses of the action in one job stay apart. */
  step: string;
  matrix?: string;
}

export function jobIdentity(env: Readonly<Record<string, string | undefined>>, matrix?: string): JobIdentity {
  return {
    repository: env.GITHUB_REPOSITORY || 'local',
    runId: env.GITHUB_RUN_ID || String(process.pid),
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    job: env.GITHUB_JOB || 'job',
    step: env.GITHUB_ACTION || 'license-gate',
    matrix: normaliseMatrix(matrix),
  };
}

/** `octo-org/widget/runs/4242/attempts/1/build (node=20, os=linux)`: readable in the console's usage view. */
export function defaultNodeId(id: JobIdentity): string {
  const base = `${id.repository}/runs/${id.runId}/attempts/${id.runAttempt}/${id.job}`;
  return id.matrix ? `${base} (${id.matrix})` : base;
}

/**
 * A 32-hex ClientToken (the form every API version accepts) that is the same for the same job,
 * step, request and attempt, so an SDK retry or a re-run of the step never takes a second seat,
 * while a new attempt after a refusal gets a fresh one.
 */
export function clientTokenFor(id: JobIdentity, purpose: string, attempt: number): string {
  return createHash('sha256')
    .update(JSON.stringify([id.repository, id.runId, id.runAttempt, id.job, id.step, id.matrix ?? '', purpose, attempt]))
    .digest('hex')
    .slice(0, 32);
}

/** `toJSON(matrix)` as one line, `key=value, ...` sorted by key; idempotent. */
export function normaliseMatrix(matrix: string | undefined): string | undefined {
  if (!matrix || matrix === 'null' || matrix === '{}' || matrix === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(matrix);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return flattened(
        Object.entries(parsed as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', '),
      );
    }
  } catch {
    // Not JSON: a caller's own string is as good an identity as any.
  }
  return flattened(matrix.trim());
}
