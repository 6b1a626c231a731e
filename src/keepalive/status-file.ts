import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The keepalive's only channel with the steps: a 0600 JSON file under RUNNER_TEMP. Secrets (the
 * consumption token, a license token) travel here, never through argv or a log.
 */
export interface KeepaliveStatus {
  v: 1;
  licenseArn?: string;
  region: string;
  beneficiary?: string;
  consumptionToken: string;
  expiration?: string;
  extensions: number;
  failures: string[];
  /** running, or why it stopped: checked-in/expired (token refused), stopped (signal), lifetime, gone. */
  state: 'starting' | 'running' | 'ended' | 'stopped' | 'lifetime';
  endedBecause?: string;
  /** Set when the keepalive stopped because the license itself ended (suspended, expired, deleted): why. */
  licenseEnded?: string;
  pid?: number;
  startedAt: string;
  updatedAt: string;
  maxLifetimeMs: number;
  /** When the first keepalive process started (epoch ms): its lifetime counts from here. */
  sinceMs?: number;
  /** The expiry to the millisecond (`expiration` is shown to the second); every process of the chain schedules from it. */
  expiresAtMs?: number;
  /** When the next extension is due (epoch ms); every process of the keepalive chain starts from it. */
  nextAtMs?: number;
  failuresInARow?: number;
  /** How a customer without an AWS account gets credentials (issue: license tokens). */
  licenseToken?: { token: string; roleArn: string; roleSessionName?: string };
}

export async function readStatus(path: string): Promise<KeepaliveStatus> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as KeepaliveStatus;
  if (parsed?.v !== 1 || typeof parsed.consumptionToken !== 'string') throw new Error(`${path} is not a keepalive status file`);
  return parsed;
}

/** Write-then-rename, so a reader (or a SIGKILL mid-write) never sees half a file. */
export async function writeStatus(path: string, status: KeepaliveStatus): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...status, updatedAt: new Date().toISOString() }), { mode: 0o600 });
  renameSync(tmp, path);
}
