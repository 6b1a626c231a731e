import { cancellationSignal } from '../cancellation.js';
import { sleep } from '../sleep.js';
import { beginKeepalive, finish, reasonToStop } from './daemon.js';
import { becomeBundle, bundle, execveOf, exitingOnUntrustedStatus, processDeps } from './process-deps.js';
import { PREPARE_MS, SLEEP_SMALL_BEYOND_MS } from './schedule.js';
import { readStatus } from './status-file.js';

/**
 * The keepalive while it sleeps: argv carries only the status file's path. A process that holds
 * the SDK, TLS and their heap weighs about 58 MiB, and the keepalive sleeps through most of a job,
 * so the sleeper loads none of them. Shortly before an extension is due it replaces itself
 * (execve: the same pid, which the post step stops) with dist/extend, which makes the call,
 * records it in the status file and, when the next one is far off, replaces itself with a sleeper
 * again. (A terminated worker thread would not give the memory back.) Without execve (Windows)
 * each extension runs in a child process instead.
 */
export async function keepaliveProcess(): Promise<void> {
  const statusPath = process.argv[2];
  if (!statusPath) throw new Error('usage: keepalive <status-file>');
  await exitingOnUntrustedStatus(() => keepAlive(statusPath));
}

async function keepAlive(statusPath: string): Promise<void> {
  // The post step stops the keepalive with SIGTERM.
  const signal = cancellationSignal();
  const d = processDeps(statusPath, signal, () => Promise.reject(new Error('the sleeper never extends')));
  let s = await readStatus(statusPath);
  if (s.state === 'starting') s = await beginKeepalive(d, s);
  const execve = execveOf();
  while (s.state === 'running') {
    // Sleeping small pays only when the extension is far off; a close one (short TTLs) is better
    // served by a process that is ready, as dist/extend stays when extensions come close together.
    const due = s.nextAtMs ?? 0;
    if (due - Date.now() > SLEEP_SMALL_BEYOND_MS) await sleep(Math.max(0, due - PREPARE_MS - Date.now()), signal);
    const stop = reasonToStop(d, s);
    if (stop) {
      await finish(d, s, stop);
      return;
    }
    if (execve) becomeBundle(execve, 'extend', [statusPath, 'chain']);
    await extendInChild(statusPath, signal);
    s = await readStatus(statusPath);
  }
}

/** Loaded only here: node:child_process alone would add about 2.5 MiB to the sleeper. */
async function extendInChild(statusPath: string, signal: AbortSignal): Promise<void> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle('extend'), statusPath, 'once'], { stdio: ['ignore', 'inherit', 'inherit'] });
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.on('error', () => resolve());
    child.on('close', () => {
      signal.removeEventListener('abort', stop);
      resolve();
    });
  });
}
