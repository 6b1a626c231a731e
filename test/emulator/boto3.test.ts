import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { withEmulator } from '../support/emulator.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./boto3_flow.py', import.meta.url));
const h = withEmulator({
  credentials: [
    { accessKeyId: 'test', secretAccessKey: 'test' },
    { accessKeyId: 'customer-admin', secretAccessKey: 'customer-secret', accountId: '444455556666' },
    { accessKeyId: 'customer-ci', secretAccessKey: 'ci-secret', accountId: '444455556666' },
  ],
  allow: { 'customer-ci': ['license-manager:CheckoutLicense', 'license-manager:CheckInLicense', 'license-manager:ExtendLicenseConsumption', 'license-manager:GetLicense'] },
});

// A second, non-JS client: botocore has its own SigV4 signer, JSON and Query/XML parsers.
test('boto3 runs both sample flows, errors, the token flow and a customer\'s grant against the emulator', async () => {
  try {
    await run(PYTHON, ['-c', 'import boto3']);
  } catch (e) {
    assert.fail(`${PYTHON} cannot import boto3 (install it with: apt-get install -y python3-boto3): ${(e as Error).message}`);
  }
  // The endpoint is passed explicitly: the distro's boto3 predates AWS_ENDPOINT_URL support.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  const { stdout } = await run(PYTHON, [script, h.emu.url], { env, timeout: 60_000 }).catch((e: Error & { stdout?: string; stderr?: string }) => {
    assert.fail(`boto3 flow failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  });
  assert.equal(stdout.trim(), 'OK');
});
