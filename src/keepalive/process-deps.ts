import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DaemonDeps } from './daemon.js';
import { writeStatus } from './status-file.js';

/** What both processes of the keepalive chain act through: the status file, the log (stdout), the clock. */
export function processDeps(statusPath: string, signal: AbortSignal, extend: DaemonDeps['extend'], licenseEnded?: DaemonDeps['licenseEnded']): DaemonDeps {
  return {
    statusPath,
    extend,
    ...(licenseEnded ? { licenseEnded } : {}),
    save: (s) => writeStatus(statusPath, s),
    now: Date.now,
    log: (line) => appendFileSync(1, `${new Date().toISOString()} ${line}\n`),
    signal,
  };
}

/** A sibling bundle of the running one (dist/keepalive, dist/extend). */
export function bundle(name: 'keepalive' | 'extend'): string {
  return join(dirname(process.argv[1] ?? '.'), '..', name, 'index.js');
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
