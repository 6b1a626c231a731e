import { appendFileSync } from 'node:fs';
import { jobCredentialsFor, licenseService } from '../aws/license-manager.js';
import { sleep } from '../sleep.js';
import { runKeepalive } from './daemon.js';
import { readStatus, writeStatus } from './status-file.js';

const EXTEND_ATTEMPTS = 3;

/** The keepalive process: argv carries only the status file's path. */
export async function keepaliveProcess(): Promise<void> {
  const statusPath = process.argv[2];
  if (!statusPath) throw new Error('usage: keepalive <status-file>');
  const status = await readStatus(statusPath);
  const controller = new AbortController();
  process.on('SIGTERM', () => controller.abort());
  process.on('SIGINT', () => controller.abort());
  // Few SDK attempts per call: the daemon owns the retry schedule because it knows the deadline
  // (retryDelay keeps a quarter of the time left), where the SDK's backoff does not.
  const service = licenseService({
    region: status.region,
    credentials: await jobCredentialsFor(status.licenseToken, status.region),
    maxAttempts: EXTEND_ATTEMPTS,
  });
  try {
    await runKeepalive({
      statusPath,
      status,
      service,
      save: (s) => writeStatus(statusPath, s),
      now: Date.now,
      sleep,
      log: (line) => appendFileSync(1, `${new Date().toISOString()} ${line}\n`),
      signal: controller.signal,
    });
  } finally {
    service.destroy();
  }
}
