import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Writes a signed token readable by the job's user only; an existing file is narrowed to 0600 too. */
export async function writeTokenFile(token: string, path: string | undefined, runnerTemp: string | undefined): Promise<string> {
  const target = resolve(path ?? join(runnerTemp || tmpdir(), `license-gate-${randomBytes(6).toString('hex')}.jwt`));
  writeFileSync(target, token, { mode: 0o600 });
  chmodSync(target, 0o600);
  return target;
}
