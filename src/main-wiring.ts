import { licenseService } from './aws/license-manager.js';
import { cancellationSignal } from './cancellation.js';
import { coreIO } from './core-io.js';
import { runMain } from './main-step.js';
import { sleep } from './sleep.js';

export async function mainAction(): Promise<void> {
  const io = coreIO();
  const signal = cancellationSignal((s) => io.info(`Received ${s}: stopping; a seat already held is checked in before exit.`));
  await runMain({ io, licenseService, now: Date.now, sleep, signal });
}
