import { existsSync } from 'node:fs';
import { parseAwsTime, isoUtc } from '../aws-time.js';
import { AwsFailure } from '../failure.js';
import { seconds } from '../seat-wait.js';
import { nextExtensionDelay, retryDelay } from './schedule.js';
import type { KeepaliveStatus } from './status-file.js';

export interface Extension {
  consumptionToken: string;
  expiration?: string | undefined;
}

export interface DaemonDeps {
  statusPath: string;
  /** One ExtendLicenseConsumption; a refusal throws an AwsFailure. */
  extend(consumptionToken: string, signal: AbortSignal): Promise<Extension>;
  /**
   * After a refused extension: why the license itself can no longer be consumed (suspended,
   * expired, deleted), read with GetLicense; undefined while it can, or when it cannot be read.
   * AWS's refusal says little (the emulator answers ValidationException), so the license is asked.
   */
  licenseEnded?(signal: AbortSignal): Promise<string | undefined>;
  save(status: KeepaliveStatus): Promise<void>;
  now(): number;
  log(line: string): void;
  signal: AbortSignal;
  random?: () => number;
}

const MAX_FAILURES_KEPT = 20;

/*
 * The keepalive is a loop of two moves, wake-up and extension, whose whole state lives in the
 * status file: so the moves can run in one process (runKeepalive) or in a chain of processes that
 * replace one another (keepalive/run.ts), each starting from the file.
 */

/** Marks the consumption kept alive by this process and schedules the first extension. */
export async function beginKeepalive(d: DaemonDeps, status: KeepaliveStatus): Promise<KeepaliveStatus> {
  const now = d.now();
  const expiration = expiresAt(status) ?? now + 60_000;
  const s: KeepaliveStatus = { ...status, state: 'running', pid: process.pid, sinceMs: status.sinceMs ?? now, failuresInARow: 0, expiresAtMs: expiration };
  s.nextAtMs = now + nextExtensionDelay(now, expiration, d.random);
  await d.save(s);
  d.log(`keepalive started; consumption expires ${isoUtc(new Date(expiration))}; first extension in ${seconds(s.nextAtMs - now)}`);
  return s;
}

/** Why the keepalive must not extend again, checked each time it wakes; undefined: carry on. */
export function reasonToStop(d: DaemonDeps, s: KeepaliveStatus): Pick<KeepaliveStatus, 'state' | 'endedBecause'> | undefined {
  if (d.signal.aborted) return { state: 'stopped', endedBecause: 'stopped by the post step' };
  if (!existsSync(d.statusPath)) return { state: 'stopped', endedBecause: 'status file removed (job over)' };
  if (d.now() - (s.sinceMs ?? d.now()) > s.maxLifetimeMs) return { state: 'lifetime', endedBecause: `maximum lifetime of ${s.maxLifetimeMs} ms reached` };
  return undefined;
}

/**
 * One extension: the new token and expiry, and the next extension at 50–70 % of the time left; or,
 * after a failure, a retry timed to the deadline; or the end, when the token is refused (checked
 * in or expired) or the consumption lapsed before an extension got through.
 */
export async function extendNow(d: DaemonDeps, status: KeepaliveStatus): Promise<KeepaliveStatus> {
  const s: KeepaliveStatus = { ...status };
  let expiration = expiresAt(s) ?? d.now() + 60_000;
  try {
    const out = await d.extend(s.consumptionToken, d.signal);
    s.consumptionToken = out.consumptionToken;
    expiration = parseAwsTime(out.expiration)?.getTime() ?? expiration;
    s.expiration = isoUtc(new Date(expiration));
    s.expiresAtMs = expiration;
    s.extensions += 1;
    s.failuresInARow = 0;
    s.nextAtMs = d.now() + nextExtensionDelay(d.now(), expiration, d.random);
    await d.save(s);
    d.log(`extension ${s.extensions}: expires ${s.expiration}; next in ${seconds(s.nextAtMs - d.now())}`);
    return s;
  } catch (error) {
    if (d.signal.aborted) return finish(d, s, { state: 'stopped', endedBecause: 'stopped by the post step' });
    const f = error instanceof AwsFailure ? error : undefined;
    // A definite refusal (not throttling or an outage) may mean the license itself ended.
    const ended = f && f.kind !== 'unavailable' ? await d.licenseEnded?.(d.signal).catch(() => undefined) : undefined;
    if (ended) {
      const back = `the seat returns by itself at ${isoUtc(new Date(expiration))} unless the post step checks it in`;
      return finish(d, s, { state: 'ended', endedBecause: `the license itself ended: ${ended} (${f?.code} on extension); ${back}`, licenseEnded: ended });
    }
    if (f?.kind === 'not-found') return finish(d, s, { state: 'ended', endedBecause: 'the consumption token was refused (checked in or expired)' });
    s.failuresInARow = (s.failuresInARow ?? 0) + 1;
    const line = `${new Date(d.now()).toISOString()} ${f ? `${f.code}: ${f.message}` : String(error)}`;
    s.failures = [...s.failures, line].slice(-MAX_FAILURES_KEPT);
    if (d.now() > expiration) return finish(d, s, { state: 'ended', endedBecause: 'the consumption expired before it could be extended' });
    s.nextAtMs = d.now() + retryDelay(d.now(), expiration, s.failuresInARow);
    await d.save(s);
    d.log(`extension failed (${line}); retrying in ${seconds(s.nextAtMs - d.now())}`);
    return s;
  }
}

/** The moves composed in one process: what the process chain of run.ts and extend-process.ts does, for tests to drive on a virtual clock. */
export async function runKeepalive(d: DaemonDeps & { status: KeepaliveStatus; sleep(ms: number, signal?: AbortSignal): Promise<void> }): Promise<KeepaliveStatus> {
  let s = await beginKeepalive(d, d.status);
  for (;;) {
    await d.sleep(Math.max(0, (s.nextAtMs ?? 0) - d.now()), d.signal);
    const stop = reasonToStop(d, s);
    if (stop) return finish(d, s, stop);
    s = await extendNow(d, s);
    if (s.state !== 'running') return s;
  }
}

export async function finish(d: DaemonDeps, status: KeepaliveStatus, end: Pick<KeepaliveStatus, 'state' | 'endedBecause' | 'licenseEnded'>): Promise<KeepaliveStatus> {
  const s = { ...status, ...end };
  if (existsSync(d.statusPath)) await d.save(s);
  d.log(`keepalive exiting: ${s.endedBecause}`);
  return s;
}

/** The expiry to the millisecond: a second lost to display rounding is a retry lost at the deadline. */
const expiresAt = (s: KeepaliveStatus) => s.expiresAtMs ?? parseAwsTime(s.expiration)?.getTime();
