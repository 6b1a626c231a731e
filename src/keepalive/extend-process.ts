import { jobCredentialsFor, licenseService, type LicenseService } from '../aws/license-manager.js';
import { licenseUnusable } from '../diagnose.js';
import { AwsFailure } from '../failure.js';
import { cancellationSignal } from '../cancellation.js';
import { sleep } from '../sleep.js';
import { extendNow, finish, reasonToStop } from './daemon.js';
import { becomeBundle, execveOf, exitingOnUntrustedStatus, processDeps, type Execve } from './process-deps.js';
import { SLEEP_SMALL_BEYOND_MS } from './schedule.js';
import { readStatus, type KeepaliveStatus } from './status-file.js';

/** Few SDK attempts per call: the keepalive owns the retry schedule because it knows the deadline. */
export const EXTEND_ATTEMPTS = 3;

/**
 * The keepalive when an extension is due (see run.ts): the token and settings come from the 0600
 * status file, outcomes and the next due time go back into it. In `chain` mode it extends until
 * the next extension is far enough off, then becomes the small sleeper again (same pid); in
 * `once` mode (a child of a sleeper without execve) it makes one extension and exits.
 */
export async function extendProcess(): Promise<void> {
  const [statusPath, mode] = process.argv.slice(2);
  if (!statusPath || (mode !== 'chain' && mode !== 'once')) throw new Error('usage: extend <status-file> chain|once');
  // The post step stops the keepalive with SIGTERM.
  const signal = cancellationSignal();
  await exitingOnUntrustedStatus(async () =>
    extendWhileClose({ statusPath, mode, signal, service: licenseServiceFor(await readStatus(statusPath)), execve: mode === 'chain' ? execveOf() : undefined }),
  );
}

export interface ExtendOptions {
  statusPath: string;
  mode: 'chain' | 'once';
  signal: AbortSignal;
  /** The License Manager client, made on first use. */
  service(): Promise<LicenseService>;
  /** process.execve where there is one (chain mode); the process becomes the sleeper through it. */
  execve?: Execve | undefined;
}

/** Extends when due, from the status file, until an extension is far enough off to sleep small (chain), or once. */
export async function extendWhileClose(o: ExtendOptions): Promise<void> {
  let s = await readStatus(o.statusPath);
  const d = processDeps(
    o.statusPath,
    o.signal,
    async (token, abort) => (await o.service()).extend(token, abort),
    s.licenseArn ? async () => licenseEndedWhy(await o.service(), s.licenseArn!) : undefined,
  );
  for (;;) {
    await sleep(Math.max(0, (s.nextAtMs ?? 0) - Date.now()), o.signal);
    const stop = reasonToStop(d, s);
    if (stop) {
      await finish(d, s, stop);
      return;
    }
    s = await extendNow(d, s);
    if (s.state !== 'running' || o.mode === 'once') return;
    if (o.execve && (s.nextAtMs ?? 0) - Date.now() > SLEEP_SMALL_BEYOND_MS) becomeBundle(o.execve, 'keepalive', [o.statusPath]);
  }
}

/** GetLicense (in AWS's consumption policy): the license's own state, or its absence, once an extension is refused. */
async function licenseEndedWhy(service: LicenseService, licenseArn: string): Promise<string | undefined> {
  try {
    return licenseUnusable(await service.getLicense(licenseArn), new Date()).join('; ') || undefined;
  } catch (error) {
    if (!(error instanceof AwsFailure)) return undefined;
    if (error.kind === 'not-found') return 'the license no longer exists';
    // GetLicense has no ResourceNotFound in its model: a license gone, or no longer granted to this account, is an invalid parameter.
    if (error.code === 'InvalidParameterValueException') return 'the license no longer exists for this account (deleted, or its grant withdrawn)';
    return undefined;
  }
}

/**
 * The License Manager client of this process, made on first use and kept while the process extends
 * (connections and license-token credentials are reused). Made inside the call, so credentials
 * that cannot be had are a failed extension, retried on schedule, not a dead keepalive.
 */
function licenseServiceFor(s: KeepaliveStatus): () => Promise<LicenseService> {
  let service: LicenseService | undefined;
  return async () => (service ??= licenseService({ region: s.region, credentials: await jobCredentialsFor(s.licenseToken, s.region), maxAttempts: EXTEND_ATTEMPTS }));
}
