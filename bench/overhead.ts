// Step overhead: the bundled steps under Node 24 against a bare `node -e 0` of the same Node, and
// the main step against the AWS CLI doing the same CheckoutLicense. Variants are interleaved in
// every round, so a busy machine slows all of them alike; ratios are per round, then the median.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.js';
import { createTestLicense } from '../test/support/emulator.js';
import { awsEnv, githubEnv, newJob, NODE24, runAction, type ActionResult } from '../test/support/run-action.js';
import { awsPayload, LICENSE_ARN, publicPem, signToken } from '../test/unit/token-fixtures.js';
import { heading, median, ROUNDS, spread, table, timeProcess } from './lib.js';

const WARMUP = 2;

function awsCliAvailable(): string | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim() : undefined;
}

function check(r: ActionResult, what: string): number {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.durationMs;
}

export async function overheadBench(): Promise<void> {
  heading('Step overhead (wall time per process, Node 24)');
  const emu = await startEmulator({ port: 0 });
  try {
    const lic = await createTestLicense(emu, { seats: 1_000_000 });
    const env = awsEnv(emu.url);
    const job = newJob();
    // The same environment shape runAction gives a step, so bare Node pays for the same variables.
    const bareEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: job.dir, RUNNER_TEMP: job.runnerTemp, ...githubEnv(), ...env };
    // The bench's credentials are the issuer's own, which must name itself as Beneficiary: given, as an ISV would.
    const checkoutInputs = { 'product-sku': lic.productSku, 'key-fingerprint': lic.keyFingerprint, entitlements: 'Seats = 1', keepalive: 'false', beneficiary: emu.accountId };
    const hour = 3_600_000;
    const at = (offset: number) => new Date(Date.now() + offset).toISOString().replace(/\.\d{3}Z$/, '');
    const token = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }));
    const verifyInputs = { token, 'public-key': publicPem(), 'license-arn': LICENSE_ARN, 'node-id': 'runner-7', entitlements: 'Seats = 5' };
    const cli = awsCliAvailable();
    const cacheDir = mkdtempSync(join(tmpdir(), 'lg-compile-cache-'));

    const t: Record<'bare' | 'main' | 'post' | 'verify' | 'aws' | 'mainCached', number[]> = { bare: [], main: [], post: [], verify: [], aws: [], mainCached: [] };
    const ratio: Record<'main' | 'post' | 'verify' | 'awsOverMain' | 'mainCached', number[]> = { main: [], post: [], verify: [], awsOverMain: [], mainCached: [] };
    for (let round = -WARMUP; round < ROUNDS; round++) {
      const bare = (await timeProcess(NODE24, ['-e', '0'], bareEnv)).ms;
      const m = await runAction('main', { inputs: checkoutInputs, env });
      const main = check(m, 'main');
      const post = check(await runAction('post', { state: m.state, job: m.job, env }), 'post');
      const verify = check(await runAction('verify', { inputs: verifyInputs }), 'verify');
      const cachedRun = await runAction('main', { inputs: { ...checkoutInputs, 'check-in': 'false' }, env: { ...env, NODE_COMPILE_CACHE: cacheDir } });
      const mainCached = check(cachedRun, 'main (compile cache)');
      let aws = NaN;
      if (cli) {
        const r = await timeProcess(
          'aws',
          ['license-manager', 'checkout-license', '--endpoint-url', emu.url, '--region', 'us-east-1', '--product-sku', lic.productSku, '--key-fingerprint', lic.keyFingerprint,
            '--checkout-type', 'PROVISIONAL', '--entitlements', 'Name=Seats,Value=1,Unit=Count', '--client-token', randomUUID(), '--output', 'json'],
          { ...bareEnv, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' },
        );
        if (r.code !== 0 || !r.stdout.includes('LicenseConsumptionToken')) throw new Error(`aws checkout-license failed (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
        aws = r.ms;
      }
      if (round < 0) continue;
      Object.entries({ bare, main, post, verify, aws, mainCached }).forEach(([k, v]) => t[k as keyof typeof t].push(v));
      ratio.main.push(main / bare);
      ratio.post.push(post / bare);
      ratio.verify.push(verify / bare);
      ratio.mainCached.push(mainCached / bare);
      if (cli) ratio.awsOverMain.push(aws / main);
    }

    const ms = (v: number[]) => spread(v, 0, ' ms');
    const x = (v: number[]) => spread(v, 2, '×');
    const rows = [
      ['bare `node -e 0`', ms(t.bare), '1', '—'],
      ['main step (CheckoutLicense, keepalive off)', ms(t.main), x(ratio.main), '≤ 3×'],
      ['post step (CheckInLicense)', ms(t.post), x(ratio.post), '≤ 3×'],
      ['verify sub-action (public key, offline)', ms(t.verify), x(ratio.verify), '≤ 1.5×'],
      ['main step, warm NODE_COMPILE_CACHE (not a fresh job; informational)', ms(t.mainCached), x(ratio.mainCached), '—'],
    ];
    console.log(`${ROUNDS} rounds after ${WARMUP} warm-up rounds; median [p25–p75]; ratio = per-round time ÷ bare Node of the same round.\n`);
    console.log(table(['process', 'wall time', 'ratio to bare Node', 'target'], rows));
    if (cli) {
      console.log(`\nAWS CLI (${cli}) checkout-license against the same emulator: ${ms(t.aws)}; it takes ${x(ratio.awsOverMain)} the main step's time (target ≥ 5×).`);
    } else {
      console.log('\nAWS CLI: `aws` is not installed (apt-get install -y awscli); the AWS CLI comparison row is skipped.');
    }
    const verdict = (name: string, value: number, ok: boolean) => `${name} ${value.toFixed(2)}× ${ok ? 'meets' : 'MISSES'} its target`;
    console.log(
      `\n${[
        verdict('main', median(ratio.main), median(ratio.main) <= 3),
        verdict('post', median(ratio.post), median(ratio.post) <= 3),
        verdict('verify', median(ratio.verify), median(ratio.verify) <= 1.5),
        ...(cli ? [`AWS CLI/main ${median(ratio.awsOverMain).toFixed(2)}× ${median(ratio.awsOverMain) >= 5 ? 'meets' : 'MISSES'} its target`] : []),
      ].join('; ')}.`,
    );
  } finally {
    await emu.close();
  }
}
