import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KeepaliveReport } from '../post-step.js';
import type { SavedConsumption } from '../state.js';
import { readStatus, writeStatus, type KeepaliveStatus } from './status-file.js';

const MAX_LIFETIME_MS = 6 * 60 * 60 * 1000 + 10 * 60 * 1000; // a GitHub-hosted job's limit, plus margin
const STOP_GRACE_MS = 2_000;

export interface LaunchOptions {
  runnerTemp?: string;
  /** The bundle to run; next to the running step's bundle by default. */
  script?: string;
  licenseToken?: KeepaliveStatus['licenseToken'];
  maxLifetimeMs?: number;
}

/**
 * Starts the keepalive detached, with its stdio in a log file, so it never holds the step open.
 * The consumption token reaches it only through the 0600 status file.
 */
export async function startKeepalive(c: SavedConsumption, o: LaunchOptions = {}): Promise<{ pid: number; statusFile: string }> {
  const parent = o.runnerTemp || tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'license-gate-'));
  const statusFile = join(dir, 'keepalive.json');
  const now = new Date().toISOString();
  await writeStatus(statusFile, {
    v: 1,
    licenseArn: c.licenseArn,
    region: c.region,
    beneficiary: c.beneficiary,
    consumptionToken: c.consumptionToken,
    expiration: c.expiration,
    extensions: 0,
    failures: [],
    state: 'starting',
    startedAt: now,
    updatedAt: now,
    maxLifetimeMs: o.maxLifetimeMs ?? MAX_LIFETIME_MS,
    licenseToken: o.licenseToken,
  });
  const log = openSync(join(dir, 'keepalive.log'), 'a', 0o600);
  const script = o.script ?? join(dirname(process.argv[1] ?? '.'), '..', 'keepalive', 'index.js');
  // Loaded here, not with the step: node:child_process costs a step that starts no keepalive a few ms.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [script, statusFile], { detached: true, stdio: ['ignore', log, log], env: keepaliveEnv(process.env) });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('the keepalive process did not start');
  return { pid: child.pid, statusFile };
}

/** True when `pid` is our keepalive for this status file, so tampered state cannot make us kill a stranger. */
function isOurKeepalive(pid: number, statusFile: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(statusFile);
  } catch {
    return process.platform !== 'linux' && isAlive(pid);
  }
}

/** The job's environment without the step's inputs and state: secrets reach the keepalive only through its file. */
export function keepaliveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('STATE_')));
}

/** Alive and not a zombie: an exited keepalive waits for a slow init to reap it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isAlive(pid);
}

/** SIGTERM, then SIGKILL after a short grace; then the status as the keepalive last wrote it. */
export async function stopKeepalive(saved: SavedConsumption): Promise<KeepaliveReport | undefined> {
  const k = saved.keepalive;
  if (!k) return undefined;
  if (Number.isInteger(k.pid) && k.pid > 1 && isOurKeepalive(k.pid, k.statusFile)) {
    process.kill(k.pid, 'SIGTERM');
    if (!(await waitForExit(k.pid, STOP_GRACE_MS))) {
      process.kill(k.pid, 'SIGKILL');
      await waitForExit(k.pid, 1_000);
    }
  }
  return readReport(saved);
}

/** The keepalive's status as the post step needs it; checks that it belongs to this consumption. */
export async function readReport(saved: SavedConsumption): Promise<KeepaliveReport | undefined> {
  const k = saved.keepalive;
  if (!k) return undefined;
  const status = await readStatus(k.statusFile);
  if (status.licenseArn !== saved.licenseArn) throw new Error('the keepalive status file belongs to another license');
  return {
    consumptionToken: status.consumptionToken,
    expiration: status.expiration,
    extensions: status.extensions,
    failures: status.failures,
    ended: status.state === 'ended' ? status.endedBecause : undefined,
    ...(status.licenseEnded ? { licenseEnded: status.licenseEnded } : {}),
  };
}
