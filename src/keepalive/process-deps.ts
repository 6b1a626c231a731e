import { appendFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UnsafePath } from '../private-files.js';
import type { DaemonDeps } from './daemon.js';
import { StatusFileRefused, writeStatus } from './status-file.js';

/** What both processes of the keepalive chain act through: the status file, the log (stdout), the clock. */
export function processDeps(statusPath: string, signal: AbortSignal, extend: DaemonDeps['extend'], licenseEnded?: DaemonDeps['licenseEnded']): DaemonDeps {
  return {
    statusPath,
    extend,
    ...(licenseEnded ? { licenseEnded } : {}),
    save: (s) => writeStatus(statusPath, s),
    now: Date.now,
    log,
    signal,
  };
}

/** One line of the keepalive's log (its stdout, a file only the job's user may read). */
const log = (line: string) => appendFileSync(1, `${new Date().toISOString()} ${line}\n`);

/**
 * Runs the body of a keepalive process; a status file or folder it cannot trust (malformed,
 * replaced, not ours) ends it with one line in its log, saying why, instead of a crash.
 */
export async function exitingOnUntrustedStatus(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof StatusFileRefused || error instanceof UnsafePath)) throw error;
    log(`keepalive exiting: ${error.message}`);
  }
}

/** A sibling bundle of the running one (dist/keepalive, dist/extend), as an absolute path: the post step identifies the keepalive by it. */
export function bundle(name: 'keepalive' | 'extend'): string {
  return resolve(dirname(process.argv[1] ?? '.'), '..', name, 'index.js');
}

export type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** process.execve (Node ≥ 22.15, not on Windows): the same pid, a fresh Node with nothing loaded. */
export function execveOf(): Execve | undefined {
  const execve = (process as { execve?: Execve }).execve;
  return typeof execve === 'function' ? execve.bind(process) : undefined;
}

/** Replaces this process with `node <bundle> <args>`, keeping its pid, stdio and environment. */
export function becomeBundle(execve: Execve, name: 'keepalive' | 'extend', args: string[]): never {
  return execve(process.execPath, [process.execPath, bundle(name), ...args], process.env);
}
