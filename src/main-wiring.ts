import { jobCredentialsFor, licenseService } from './aws/license-manager.js';
import { borrowPreflight } from './borrow-preflight.js';
import { cancellationSignal } from './cancellation.js';
import { lineSafe } from './io.js';
import { runnerIO } from './runner-io.js';
import { removeKeepalive, startKeepalive, stopProcess } from './keepalive/launch.js';
import { runMain } from './main-step.js';
import { sleep } from './sleep.js';
import { writeTokenFile } from './token-file.js';

export async function mainAction(): Promise<void> {
  const io = lineSafe(runnerIO());
  const signal = cancellationSignal((s) => io.info(`Received ${s}: stopping; a seat already held is checked in before exit.`));
  await runMain({
    io,
    licenseService,
    now: Date.now,
    sleep,
    signal,
    credentials: async (inputs) => jobCredentialsFor(inputs.licenseToken, inputs.region, io.setSecret),
    startKeepalive: (saved, inputs) => startKeepalive(saved, { runnerTemp: io.env.RUNNER_TEMP, licenseToken: inputs.licenseToken }),
    stopKeepalive: async (saved) => {
      if (saved.keepalive) await stopProcess(saved.keepalive);
      removeKeepalive(saved);
    },
    writeTokenFile: (token, inputs) => writeTokenFile(token, inputs.tokenFile, io.env.RUNNER_TEMP),
    preflight: borrowPreflight,
    // Loaded only after a refused checkout: the usual one never loads STS.
    callerAccount: async (settings) => (await import('./aws/caller-account.js')).callerAccount(settings),
    // Loaded only in borrow mode: a checkout never pays for the verifier.
    verifyBorrowed: async (token, inputs, nodeId) =>
      (await import('./borrow-verify.js')).verifyBorrowedToken(token, inputs, nodeId, (line) => io.info(line)),
  });
}
