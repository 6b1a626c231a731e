import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Writes a signed token readable by the job's user only; an existing file is narrowed to 0600 too. */
export async function writeTokenFile(token: string, path: string | undefined, runnerTemp: string | undefined): Promise<string> {
  const target = resolve(path ?? join(runnerTemp || tmpdir(), `license-gate-${randomBytes(6).toString('hex')}.jwt`));
  await writeFile(target, token, { mode: 0o600 });
  await chmod(target, 0o600);
  return target;
}
