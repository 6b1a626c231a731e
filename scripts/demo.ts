// `npm run demo`: the whole lifecycle against the local emulator, run the way GitHub's runner
// runs the action (bundled dist/ steps under Node 24), with the action's own log lines.
import { createPublicKey, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { AcceptGrantCommand, CreateGrantCommand, CreateGrantVersionCommand } from '@aws-sdk/client-license-manager';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { createSignKey, createTestLicense, kmsClient, licenseManagerClient, seatUsage } from '../test/support/emulator.js';
import { awsEnv, newJob, runAction, startAction, type ActionResult, type Entry } from '../test/support/run-action.js';

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
  const used = await seatUsage(emu, arn, isv);
  console.log(`   License Manager says: ${Object.entries(used).map(([k, v]) => `${k} ${v} in use`).join(', ')}`);
}

const ISV = '111122223333';
const CUSTOMER = '444455556666';
const isv = { accessKeyId: 'isv-admin', secretAccessKey: 'isv-secret' };
const customerAdmin = { accessKeyId: 'customer-admin', secretAccessKey: 'customer-admin-secret' };
const customerCi = { accessKeyId: 'customer-ci', secretAccessKey: 'customer-ci-secret' };
const emu = await startEmulator({
  port: 0,
  minuteMs: 1_000,
  accountId: ISV,
  credentials: [isv, { ...customerAdmin, accountId: CUSTOMER }, { ...customerCi, accountId: CUSTOMER }],
  // The customer's CI role: AWS's managed AWSLicenseManagerConsumptionPolicy, plus CheckoutBorrowLicense for the borrow at the end.
  allow: { 'customer-ci': ['license-manager:CheckoutLicense', 'license-manager:CheckInLicense', 'license-manager:ExtendLicenseConsumption', 'license-manager:GetLicense', 'license-manager:CheckoutBorrowLicense'] },
});
console.log(`Emulator of License Manager, KMS and STS on ${emu.url} (one TTL minute = 1 s)`);
console.log(`Accounts: ISV ${ISV} (issues the license), customer ${CUSTOMER} (its CI role may only consume)`);
try {
  const env = awsEnv(emu.url, customerCi);
  const token = () => randomBytes(8).toString('hex');

  step(1, 'ISV account: create the license and grant it to the customer account');
  const signKey = await createSignKey(emu, 'RSA_2048', isv);
  const lic = await createTestLicense(emu, {
    credentials: isv,
    productName: 'Widget Pro',
    entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 2, AllowCheckIn: true }, { Name: 'Premium', Unit: 'None', Value: 'Enabled', AllowCheckIn: true }],
    ttlMinutes: 2,
    borrow: { AllowEarlyCheckIn: true, MaxTimeToLiveInMinutes: 60 },
    signKey,
  });
  const { GrantArn } = await licenseManagerClient(emu, isv).send(
    new CreateGrantCommand({
      ClientToken: token(), GrantName: 'Widget Pro for customer CI', LicenseArn: lic.licenseArn, Principals: [`arn:aws:iam::${CUSTOMER}:root`], HomeRegion: emu.region,
      AllowedOperations: ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense', 'CheckoutBorrowLicense'],
    }),
  );
  console.log(`   license ${lic.licenseArn}: Seats x2, Premium (a feature), consumption TTL 2 minutes (2 s here)`);
  console.log(`   grant ${GrantArn} to arn:aws:iam::${CUSTOMER}:root: PENDING_ACCEPT`);

  step(2, 'A customer job before the grant is accepted fails, saying what to run');
  show('main', await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1' }, env: awsEnv(emu.url, customerAdmin) }));

  step(3, 'Customer account: accept the grant, then activate it');
  const accepted = await licenseManagerClient(emu, customerAdmin).send(new AcceptGrantCommand({ GrantArn }));
  const active = await licenseManagerClient(emu, customerAdmin).send(new CreateGrantVersionCommand({ GrantArn, Status: 'ACTIVE', ClientToken: token() }));
  console.log(`   accept-grant: ${accepted.Status}; create-grant-version --status ACTIVE: ${active.Status}`);

  step(4, 'Customer job starts: check out a seat and the Premium feature (GPU Builds is optional and not in the license)');
  const main = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nPremium\nGPU Builds = 1 (optional)' }, env });
  show('main', main);
  await usage(emu, lic.licenseArn);

  step(5, 'Two more matrix jobs want a seat: one gets the last, the other waits for it');
  const second = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '1m' }, env });
  show('main', second);
  const third = startAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '1m' }, env });

  step(6, 'The jobs run for 5 TTLs; their keepalives extend the consumptions in the background');
  await delay(5_000);
  await usage(emu, lic.licenseArn);

  step(7, 'Post steps (run even if the job failed): stop the keepalive, check the seat in; the waiting job gets it');
  show('post', await runAction('post', { state: main.state, job: main.job, env }));
  const waited = await third.done;
  show('main', waited);
  show('post', await runAction('post', { state: second.state, job: second.job, env }));
  show('post', await runAction('post', { state: waited.state, job: waited.job, env }));
  await usage(emu, lic.licenseArn);

  step(8, 'A job that requires an entitlement the license lacks fails, saying why');
  show('main', await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1\nGPU Builds = 1' }, env }));
  await usage(emu, lic.licenseArn);

  step(9, 'Borrow a signed token on a connected runner');
  const der = Buffer.from((await kmsClient(emu, isv).send(new GetPublicKeyCommand({ KeyId: signKey }))).PublicKey!);
  const pem = createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
  const borrowed = await runAction('main', { inputs: { mode: 'borrow', 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'node-id': 'airgap-runner-1', 'public-key': pem }, env });
  show('main', borrowed);

  step(10, 'Verify it offline on an air-gapped runner: no AWS endpoint, no credentials (the ISV published the public key)');
  show('verify', await runAction('verify', { job: newJob(), inputs: { 'token-file': borrowed.outputs['token-file']!, 'public-key': pem, 'license-arn': lic.licenseArn, 'node-id': 'airgap-runner-1', entitlements: 'Seats = 1' } }));
  console.log(`\n${bold('Done.')} Run the same against AWS by dropping AWS_ENDPOINT_URL and configuring credentials.`);
} finally {
  await emu.close();
}
