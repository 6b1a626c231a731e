// `npm run demo`: the whole lifecycle against the local emulator, run the way GitHub's runner
// runs the action (bundled dist/ steps under Node 24), with the action's own log lines.
import { createPublicKey } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { createSignKey, createTestLicense, kmsClient, seatUsage } from '../test/support/emulator.js';
import { awsEnv, newJob, runAction, type ActionResult, type Entry } from '../test/support/run-action.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`);

/** Prints a step's log as the runner would show it: masked values as ***, commands as annotations. */
function show(entry: Entry, r: ActionResult) {
  const mask = (line: string) => r.masks.reduce((l, m) => (m ? l.split(m).join('***') : l), line);
  for (const raw of r.stdout.split('\n')) {
    if (!raw || raw.startsWith('::add-mask::')) continue;
    const line = mask(raw.replace(/^::(error|warning)[^:]*::/, (_, kind: string) => `${kind.toUpperCase()}: `));
    console.log(`   [${entry}] ${line}`);
  }
  const outputs = Object.entries(r.outputs).filter(([, v]) => v !== '');
  if (outputs.length) console.log(`   outputs: ${outputs.map(([k, v]) => `${k}=${mask(v)}`).join('  ')}`);
  console.log(`   exit code ${r.code}`);
}

async function usage(emu: Emulator, arn: string) {
  const used = await seatUsage(emu, arn);
  console.log(`   License Manager says: ${Object.entries(used).map(([k, v]) => `${k} ${v} in use`).join(', ')}`);
}

const emu = await startEmulator({ port: 0, minuteMs: 1_000 });
console.log(`Emulator of License Manager, KMS and STS on ${emu.url} (one TTL minute = 1 s)`);
try {
  const env = awsEnv(emu.url);
  const signKey = await createSignKey(emu, 'RSA_2048');
  const lic = await createTestLicense(emu, {
    productName: 'Widget Pro',
    entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }],
    ttlMinutes: 2,
    borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 },
    signKey,
  });
  console.log(`ISV license ${lic.licenseArn}: Seats x2, consumption TTL 2 minutes (2 s here)`);

  step(1, 'Job starts: check out a seat (GPU Builds is optional and not in the license)');
  const main = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1 (optional)' }, env });
  show('main', main);
  await usage(emu, lic.licenseArn);

  step(2, 'The job runs for 5 TTLs; the keepalive extends the consumption in the background');
  await delay(5_000);
  await usage(emu, lic.licenseArn);

  step(3, 'Post step (runs even if the job failed): stop the keepalive, check the seat in');
  show('post', await runAction('post', { state: main.state, job: main.job, env }));
  await usage(emu, lic.licenseArn);

  step(4, 'A job that requires an entitlement the license lacks fails, saying why');
  show('main', await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1' }, env }));
  await usage(emu, lic.licenseArn);

  step(5, 'Borrow a signed token on a connected runner');
  const der = Buffer.from((await kmsClient(emu).send(new GetPublicKeyCommand({ KeyId: signKey }))).PublicKey!);
  const pem = createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
  const borrowed = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'node-id': 'airgap-runner-1', 'public-key': pem }, env });
  show('main', borrowed);

  step(6, 'Verify it offline on an air-gapped runner: no AWS endpoint, no credentials');
  show('verify', await runAction('verify', { job: newJob(), inputs: { 'token-file': borrowed.outputs['token-file']!, 'public-key': pem, 'license-arn': lic.licenseArn, 'node-id': 'airgap-runner-1', entitlements: 'Seats = 1' } }));
  console.log(`\n${bold('Done.')} Run the same against AWS by dropping AWS_ENDPOINT_URL and configuring credentials.`);
} finally {
  await emu.close();
}
