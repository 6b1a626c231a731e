import { jobCredentialsFor, licenseService } from './aws/license-manager.js';
import { cancellationSignal } from './cancellation.js';
import { lineSafe } from './io.js';
import { runnerIO } from './runner-io.js';
import { readReport, removeKeepalive, stopKeepalive } from './keepalive/launch.js';
import { runPost } from './post-step.js';

export async function postAction(): Promise<void> {
  const io = lineSafe(runnerIO());
  // A cancelled post step still finishes its check-in: the signal is only reported.
  cancellationSignal((s) => io.info(`Received ${s}: finishing the check-in first.`));
  await runPost({
    io,
    licenseService,
    stopKeepalive,
    peekKeepalive: readReport,
    removeKeepalive,
    credentials: async (inputs, saved) => jobCredentialsFor(inputs?.licenseToken, saved.region, io.setSecret),
  });
}
