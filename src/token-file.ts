import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from './input-error.js';
import { checkOwnTarget, replaceFile } from './private-files.js';

/**
 * Writes a signed token readable by the job's user only (0600): a new file, renamed into place,
 * so the token never lands in a file someone else made, holds open or links to. A target that
 * exists must be a regular file of the job's user; anything else is refused.
 */
export async function writeTokenFile(token: string, path: string | undefined, runnerTemp: string | undefined): Promise<string> {
  const target = resolve(path ?? join(runnerTemp || tmpdir(), `license-gate-${randomBytes(6).toString('hex')}.jwt`));
  checkTokenFileTarget(target);
  replaceFile(target, token);
  return target;
}

/** Throws the `token-file` InputError for a target the token must not land in; also run before the borrow, so no seat is taken for a file that will be refused. */
export function checkTokenFileTarget(path: string): void {
  const problem = checkOwnTarget(resolve(path));
  if (problem) throw new InputError('token-file', `${problem}, not a file of this job's own, so the token could land where another user reads it; name a new path, or remove it first.`);
}
