import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The key that seals this step's saved state: 32 random bytes in a 0600 file under RUNNER_TEMP,
 * one per step (GITHUB_ACTION), so the post step acts only on state its own main step wrote.
 * Undefined outside a runner (no RUNNER_TEMP): state is then unsealed.
 */
export function stateKey(env: Env, create: boolean): Buffer | undefined {
  if (!env.RUNNER_TEMP) return undefined;
  const step = createHash('sha256').update(env.GITHUB_ACTION ?? '').digest('hex').slice(0, 16);
  const path = join(env.RUNNER_TEMP, `.license-gate-state-${step}.key`);
  try {
    return readFileSync(path);
  } catch {
    if (!create) return undefined;
    const key = randomBytes(32);
    writeFileSync(path, key, { mode: 0o600 });
    return key;
  }
}

export function sealOf(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function sealMatches(key: Buffer, body: string, seal: unknown): boolean {
  if (typeof seal !== 'string') return false;
  const expected = Buffer.from(sealOf(key, body));
  const given = Buffer.from(seal);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
