import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { createExclusive, readPrivateFile, safeDirectory } from './private-files.js';

type Env = Readonly<Record<string, string | undefined>>;

const KEY_BYTES = 32;

/**
 * The key that seals this step's saved state: 32 random bytes in a 0600 file under RUNNER_TEMP,
 * one per step (GITHUB_ACTION), so the post step acts only on state its own main step wrote.
 * Undefined outside a runner (no RUNNER_TEMP): state is then unsealed.
 *
 * The post step must find the key from the environment alone, so its name is predictable: the
 * main step creates it exclusively (a RUNNER_TEMP where others may create or rename entries is
 * refused first), and both steps believe an existing key only when it is this user's own private
 * file. A planted key could forge the post step's state; this one is refused, naming the file.
 * Throws UnsafePath (or the file system's error) when there is a key that cannot be used.
 */
export function stateKey(env: Env, create: boolean): Buffer | undefined {
  if (!env.RUNNER_TEMP) return undefined;
  const step = createHash('sha256').update(env.GITHUB_ACTION ?? '').digest('hex').slice(0, 16);
  const dir = create ? safeDirectory(env.RUNNER_TEMP, 'RUNNER_TEMP') : env.RUNNER_TEMP;
  const path = join(dir, `.license-gate-state-${step}.key`);
  if (create) {
    try {
      createExclusive(path, randomBytes(KEY_BYTES));
    } catch (error) {
      // A main step run again in the same job finds its first run's key: read (and checked) below.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let key: Buffer;
  try {
    key = readPrivateFile(path, KEY_BYTES, 'The state key');
  } catch (error) {
    if (!create && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (key.length !== KEY_BYTES) throw new Error(`The state key ${path} is not ${KEY_BYTES} bytes; remove it.`);
  return key;
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
