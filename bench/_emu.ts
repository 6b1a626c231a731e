import { writeFileSync } from 'node:fs';
import { startEmulator } from '../emulator/server.js';
import { createTestLicense } from '../test/support/emulator.js';
import { awsEnv, githubEnv, newJob } from '../test/support/run-action.js';
const emu = await startEmulator({ port: 0 });
const lic = await createTestLicense(emu, { seats: 1_000_000 });
const job = newJob();
const env: Record<string, string> = { HOME: job.dir, RUNNER_TEMP: job.runnerTemp, ...githubEnv(), ...awsEnv(emu.url), GITHUB_ACTION: 'lg1',
  'INPUT_PRODUCT-SKU': lic.productSku, 'INPUT_KEY-FINGERPRINT': lic.keyFingerprint, INPUT_ENTITLEMENTS: 'Seats = 1', INPUT_KEEPALIVE: 'false', 'INPUT_CHECK-IN': 'false',
  GITHUB_OUTPUT: job.dir + '/out', GITHUB_STATE: job.dir + '/state', GITHUB_ENV: job.dir + '/env', GITHUB_STEP_SUMMARY: job.dir + '/sum' };
writeFileSync('/tmp/emu.env', Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
console.log('ready');
