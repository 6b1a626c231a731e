// usage: tsx cmp.ts variantDir... ; each dir has main/index.js, post/index.js
import { startEmulator } from '../emulator/server.js';
import { createTestLicense } from '../test/support/emulator.js';
import { awsEnv, githubEnv, newJob, NODE24, runAction } from '../test/support/run-action.js';
import { timeProcess, median } from '../bench/lib.js';
import { awsPayload, LICENSE_ARN, publicPem, signToken } from '../test/unit/token-fixtures.js';
const dirs = process.argv.slice(2);
const emu = await startEmulator({ port: 0 });
const lic = await createTestLicense(emu, { seats: 1_000_000 });
const env = awsEnv(emu.url);
const job = newJob();
const bareEnv = { PATH: process.env.PATH!, HOME: job.dir, RUNNER_TEMP: job.runnerTemp, ...githubEnv(), ...env };
const inputs = { 'product-sku': lic.productSku, 'key-fingerprint': lic.keyFingerprint, entitlements: 'Seats = 1', keepalive: 'false' };
const hour = 3_600_000;
const at = (offset: number) => new Date(Date.now() + offset).toISOString().replace(/\.\d{3}Z$/, '');
const token = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }));
const verifyInputs = { token, 'public-key': publicPem(), 'license-arn': LICENSE_ARN, 'node-id': 'runner-7', entitlements: 'Seats = 5' };
const R = Number(process.env.R ?? 15);
const t: Record<string, number[]> = { bare: [] };
for (let r = -2; r < R; r++) {
  const b = (await timeProcess(NODE24, ['-e', '0'], bareEnv)).ms;
  if (r >= 0) t.bare!.push(b);
  for (const d of dirs) {
    const m = await runAction('main', { inputs, env, script: `${d}/main/index.js` });
    if (m.code !== 0) { console.log(m.stdout, m.stderr); process.exit(1); }
    const p = await runAction('post', { state: m.state, job: m.job, env, script: `${d}/post/index.js` });
    if (p.code !== 0) { console.log(p.stdout, p.stderr); process.exit(1); }
    const v = await runAction('verify', { inputs: verifyInputs, script: `${d}/verify/index.js` });
    if (v.code !== 0) { console.log(v.stdout, v.stderr); process.exit(1); }
    if (r >= 0) (t[`${d} verify`] ??= []).push(v.durationMs);
    if (r >= 0) { (t[`${d} main`] ??= []).push(m.durationMs); (t[`${d} post`] ??= []).push(p.durationMs); }
  }
}
const bare = median(t.bare!);
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(40), median(v).toFixed(0).padStart(5), (median(v) / bare).toFixed(2) + '×');
await emu.close();
