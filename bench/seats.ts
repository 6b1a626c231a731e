// Seats under contention: a matrix of jobs, each the real main step (waiting for a seat), a fixed
// hold, then the real post step, against a license with fewer seats than jobs.
import { startEmulator } from '../emulator/server.js';
import type { EmulatorEvent } from '../emulator/server.js';
import { createTestLicense } from '../test/support/emulator.js';
import { awsEnv, runAction } from '../test/support/run-action.js';
import { heading, median, quantile, table } from './lib.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 40);
const SEATS = Number(process.env.BENCH_SEATS ?? 8);
const HOLD_S = Number(process.env.BENCH_HOLD_S ?? 30);
const MINUTE_MS = 1_000; // one TTL minute lasts a second: the 60-minute TTL outlives every hold
const WAIT_TIMEOUT = '10m';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Time from each check-in to the grant that reused its seat (freed seats queue first-in first-out). */
export function seatIdleTimes(events: readonly EmulatorEvent[], licenseArn: string): number[] {
  const free: number[] = [];
  const idle: number[] = [];
  for (const e of events) {
    if (e.licenseArn !== licenseArn) continue;
    if (e.type === 'check-in' || e.type === 'expiry') free.push(e.time);
    else if (e.type === 'checkout' && !e.error && !e.replay && free.length) idle.push(e.time - free.shift()!);
  }
  return idle;
}

export async function seatsBench(): Promise<void> {
  heading(`Seats under contention (${JOBS} jobs, ${SEATS} seats, hold ${HOLD_S} s)`);
  const emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
  try {
    const lic = await createTestLicense(emu, { seats: SEATS, ttlMinutes: 60 });
    const env = awsEnv(emu.url);
    const started = Date.now();
    const jobs = await Promise.all(
      Array.from({ length: JOBS }, async (_, j) => {
        const jobEnv = { ...env, GITHUB_JOB: `matrix-${j}` };
        const main = await runAction('main', {
          inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': WAIT_TIMEOUT, keepalive: 'false', beneficiary: emu.accountId },
          env: jobEnv,
          timeoutMs: 15 * 60_000,
        });
        if (main.code !== 0) throw new Error(`job ${j}: main failed: ${main.stdout}\n${main.stderr}`);
        await sleep(HOLD_S * 1000);
        const post = await runAction('post', { state: main.state, job: main.job, env: jobEnv });
        if (post.code !== 0) throw new Error(`job ${j}: post failed: ${post.stdout}\n${post.stderr}`);
        return { waitedS: Number(main.outputs['waited-seconds'] ?? 0), mainMs: main.durationMs, postMs: post.durationMs, end: Date.now() };
      }),
    );
    const makespanS = (Math.max(...jobs.map((j) => j.end)) - started) / 1000;
    const idealS = (JOBS / SEATS) * HOLD_S;
    const stats = emu.stats();
    const events = stats.events.filter((e) => e.licenseArn === lic.licenseArn);
    const idle = seatIdleTimes(events, lic.licenseArn).map((ms) => ms / 1000);
    // A refused checkout names no license (it is refused by SKU), so count calls, not license events.
    const checkouts = stats.requests.byOperation.CheckoutLicense?.total ?? 0;
    const granted = events.filter((e) => e.type === 'checkout' && !e.error && !e.replay).length;
    const refused = checkouts - granted;
    const waitingMinutes = jobs.reduce((sum, j) => sum + j.waitedS, 0) / 60;
    const waiters = jobs.filter((j) => j.waitedS > 0).length;
    const perWaiterPerMinute = waitingMinutes > 0 ? refused / waitingMinutes : 0;
    const peak = stats.licenses[lic.licenseArn]?.entitlements.Seats?.peak ?? NaN;
    const expiries = events.filter((e) => e.type === 'expiry').length;
    const f = (v: number, d = 2) => v.toFixed(d);
    console.log(
      `Each job: dist/main (wait-timeout ${WAIT_TIMEOUT}, keepalive off), ${HOLD_S} s hold, dist/post; all ${JOBS} started together. ` +
        `Emulator minuteMs ${MINUTE_MS} (TTL 60 scaled minutes = 60 s > hold); backoff times are real seconds.\n`,
    );
    console.log(
      table(
        ['figure', 'value', 'target'],
        [
          ['makespan ÷ ideal', `${f(makespanS / idealS)}× (${f(makespanS, 1)} s ÷ ${f(idealS, 0)} s)`, '≤ 1.10×'],
          ['seat idle from check-in to next grant, median [p25–p75, max]', `${f(median(idle))} s [${f(quantile(idle, 0.25))}–${f(quantile(idle, 0.75))}, ${f(Math.max(...idle))}] over ${idle.length} hand-overs`, 'median ≤ 2 s'],
          ['CheckoutLicense calls per waiting job per minute', `${f(perWaiterPerMinute, 1)} (${refused} refused + ${checkouts - refused} granted calls; ${waiters} jobs waited ${f(waitingMinutes, 1)} job-minutes)`, 'reported'],
          ['fleet CheckoutLicense rate while waiting', `${f(checkouts / makespanS, 2)} calls/s on average`, 'reported'],
          ['peak seats held', `${peak} of ${SEATS}`, `≤ ${SEATS}`],
          ['consumptions that expired instead of being checked in', `${expiries}`, '0'],
          ['main step wall time (incl. waiting), median', `${f(median(jobs.map((j) => j.mainMs)) / 1000, 1)} s`, '—'],
          ['post step wall time under this load, median', `${f(median(jobs.map((j) => j.postMs)) / 1000, 2)} s`, '—'],
        ],
      ),
    );
  } finally {
    await emu.close();
  }
}
