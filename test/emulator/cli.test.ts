import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { ListLicensesCommand, LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { parseArgs } from '../../emulator/cli-args.js';

const MAIN = new URL('../../emulator/main.ts', import.meta.url).pathname;

function launch(args: string[]) {
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function urlOf(run: ReturnType<typeof launch>): Promise<string> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(run.output().stdout);
    if (m) return m[0];
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL printed: ${JSON.stringify(run.output())}`);
}

describe('npm run emulator (emulator/main.ts)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`--port 0 prints its URL, serves, and exits 0 on ${signal}`, async () => {
      const run = launch(['--port', '0', '--minute-ms', '600', '--credentials', 'KEY:SECRET', '--faults', 'latency-ms=1,seed=7', '--log']);
      const url = await urlOf(run);
      assert.equal(run.output().stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
      const client = new LicenseManagerClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'KEY', secretAccessKey: 'SECRET' } });
      const out = await client.send(new ListLicensesCommand({}));
      assert.deepEqual(out.Licenses, []);
      client.destroy();
      run.child.kill(signal);
      const [code] = await run.exited;
      assert.equal(code, 0);
      assert.match(run.output().stderr, /license-manager:ListLicenses OK/);
      assert.doesNotMatch(run.output().stderr, /SECRET|Signature=/);
    });
  }

  test('a bad flag exits 2 naming the flag', async () => {
    const run = launch(['--minute-ms', 'fast']);
    const [code] = await run.exited;
    assert.equal(code, 2);
    assert.match(run.output().stderr, /--minute-ms: expected a positive number of milliseconds, got 'fast'/);
  });
});

describe('flag parsing', () => {
  test('defaults and every flag', () => {
    assert.deepEqual(parseArgs([]), { port: 4566, verbose: false, help: false });
    assert.deepEqual(
      parseArgs(['--port=0', '--host', '0.0.0.0', '--minute-ms', '600', '--faults', 'throttle=0.3,seed=7', '--credentials', 'A:B', '--credentials=C:D:E',
        '--account-id', '444455556666', '--region', 'eu-west-1', '--zoneless-timestamps', '--log', '--throttle-status', '429']),
      {
        port: 0, host: '0.0.0.0', minuteMs: 600, faults: { throttle: 0.3, seed: 7 },
        credentials: [{ accessKeyId: 'A', secretAccessKey: 'B' }, { accessKeyId: 'C', secretAccessKey: 'D:E' }],
        accountId: '444455556666', region: 'eu-west-1', zonelessTimestamps: true, throttleStatus: 429, verbose: true, help: false,
      },
    );
  });

  test('--credentials KEY:SECRET:ACCOUNT ties a key to an account; --allow lists what a key or role may call', () => {
    const o = parseArgs([
      '--credentials', 'CI:s3cr:et:444455556666', '--credentials', 'ISV:plain',
      '--allow', 'CI=license-manager:CheckoutLicense,license-manager:GetLicense', '--allow', 'CI=kms:*',
      '--allow', 'arn:aws:iam::111122223333:role/a=b=license-manager:*',
    ]);
    assert.deepEqual(o.credentials, [{ accessKeyId: 'CI', secretAccessKey: 's3cr:et', accountId: '444455556666' }, { accessKeyId: 'ISV', secretAccessKey: 'plain' }]);
    assert.deepEqual(o.allow, { CI: ['license-manager:CheckoutLicense', 'license-manager:GetLicense', 'kms:*'], 'arn:aws:iam::111122223333:role/a=b': ['license-manager:*'] });
  });

  for (const [args, message] of [
    [['--port', '70000'], /--port: expected an integer 0\.\.65535, got '70000'/],
    [['--port'], /--port: missing value/],
    [['--minute-ms', '0'], /--minute-ms: expected a positive number/],
    [['--faults', 'throttle=2'], /--faults: fault 'throttle' must be a probability/],
    [['--faults', 'jitter=1'], /--faults: unknown fault 'jitter'/],
    [['--credentials', 'nosecret'], /--credentials: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY/],
    [['--account-id', '123'], /--account-id: expected 12 digits/],
    [['--throttle-status', '503'], /--throttle-status: expected 400 or 429, got '503'/],
    [['--allow', 'CI'], /--allow: expected KEY=service:Action/],
    [['--allow', 'CI=CheckoutLicense'], /--allow: expected KEY=service:Action/],
    [['--credentials', 'K::444455556666'], /--credentials: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY\[:ACCOUNT_ID\]/],
    [['--verbose'], /unknown flag '--verbose'/],
  ] as const) {
    test(`rejects ${args.join(' ')}`, () => {
      assert.throws(() => parseArgs(args), message);
    });
  }
});
