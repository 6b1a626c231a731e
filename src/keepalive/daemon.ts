import { existsSync } from 'node:fs';
import type { LicenseService } from '../aws/license-manager.js';
import { parseAwsTime, isoUtc } from '../aws-time.js';
import { AwsFailure } from '../failure.js';
import { nextExtensionDelay, retryDelay } from './schedule.js';
import type { KeepaliveStatus } from './status-file.js';

export interface DaemonDeps {
  statusPath: string;
  status: KeepaliveStatus;
  service: LicenseService;
  save(status: KeepaliveStatus): Promise<void>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  log(line: string): void;
  signal: AbortSignal;
  random?: () => number;
}

const MAX_FAILURES_KEPT = 20;

/**
 * Extends the consumption shortly before each expiry until told to stop (signal), the token is
 * refused (checked in or expired), the status file disappears (the runner cleaned RUNNER_TEMP),
 * or the maximum lifetime passes.
 */
export async function runKeepalive(d: DaemonDeps): Promise<KeepaliveStatus> {
  const s: KeepaliveStatus = { ...d.status, state: 'running', pid: process.pid };
  await d.save(s);
  const started = d.now();
  let failuresInARow = 0;
  let expiration = parseAwsTime(s.expiration)?.getTime() ?? d.now() + 60_000;
  let delay = nextExtensionDelay(d.now(), expiration, d.random);
  d.log(`keepalive started; consumption expires ${isoUtc(new Date(expiration))}; first extension in ${(delay / 1000).toFixed(1)}s`);
  for (;;) {
    await d.sleep(delay, d.signal);
    if (d.signal.aborted) return finish(d, s, 'stopped', 'stopped by the post step');
    if (!existsSync(d.statusPath)) return finish(d, s, 'stopped', 'status file removed (job over)');
    if (d.now() - started > s.maxLifetimeMs) return finish(d, s, 'lifetime', `maximum lifetime of ${s.maxLifetimeMs} ms reached`);
    try {
      const out = await d.service.extend(s.consumptionToken);
      s.consumptionToken = out.consumptionToken;
      const next = parseAwsTime(out.expiration);
      expiration = next?.getTime() ?? expiration;
      s.expiration = isoUtc(new Date(expiration));
      s.extensions += 1;
      failuresInARow = 0;
      await d.save(s);
      delay = nextExtensionDelay(d.now(), expiration, d.random);
      d.log(`extension ${s.extensions}: expires ${s.expiration}; next in ${(delay / 1000).toFixed(1)}s`);
    } catch (error) {
      if (d.signal.aborted) return finish(d, s, 'stopped', 'stopped by the post step');
      const f = error instanceof AwsFailure ? error : undefined;
      if (f?.kind === 'not-found') return finish(d, s, 'ended', 'the consumption token was refused (checked in or expired)');
      failuresInARow += 1;
      const line = `${new Date(d.now()).toISOString()} ${f ? `${f.code}: ${f.message}` : String(error)}`;
      s.failures = [...s.failures, line].slice(-MAX_FAILURES_KEPT);
      await d.save(s);
      if (d.now() > expiration) return finish(d, s, 'ended', 'the consumption expired before it could be extended');
      delay = retryDelay(d.now(), expiration, failuresInARow);
      d.log(`extension failed (${line}); retrying in ${(delay / 1000).toFixed(1)}s`);
    }
  }
}

async function finish(d: DaemonDeps, s: KeepaliveStatus, state: KeepaliveStatus['state'], why: string): Promise<KeepaliveStatus> {
  s.state = state;
  s.endedBecause = why;
  if (existsSync(d.statusPath)) await d.save(s);
  d.log(`keepalive exiting: ${why}`);
  return s;
}
