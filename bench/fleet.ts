// `npm run bench -- fleet`: hundreds of jobs on one account's License Manager under a rate limit.
// The jobs are the action's own steps (runMain, the in-process keepalive loop, runPost: the same
// modules the bundles run), in one process, against the emulator, with time scaled: one emulated
// minute lasts `1000 * 60 / SCALE` real ms, and the steps' clock and sleeps run SCALE times fast.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.js';
import { licenseService } from '../src/aws/license-manager.js';
import { runKeepalive } from '../src/keepalive/daemon.js';
import { EXTEND_ATTEMPTS } from '../src/keepalive/extend-process.js';
import type { KeepaliveStatus } from '../src/keepalive/status-file.js';
import { runMain } from '../src/main-step.js';
import { runPost, type KeepaliveReport } from '../src/post-step.js';
import type { SavedConsumption } from '../src/state.js';
import { createTestLicense, TEST_CREDENTIALS } from '../test/support/emulator.js';
import { FakeIO } from '../test/unit/fakes.js';
import { heading, median, quantile, table } from './lib.js';

const JOBS = Number(process.env.BENCH_FLEET_JOBS ?? 500);
const SEATS = Number(process.env.BENCH_FLEET_SEATS ?? 50);
/** Emulated time runs this many times faster than real time. */
const SCALE = Number(process.env.BENCH_FLEET_SCALE ?? 60);
/** Account-wide License Manager requests per emulated second. */
const RATE = Number(process.env.BENCH_FLEET_RATE ?? 10);
const TTL_MINUTES = 10;
const MIN = 60_000;
const HOLD_MIN = 2;
const HOLD_MAX = 20;
const ARRIVALS_OVER_MIN = 10;

/** mulberry32, so a run's arrivals and holds can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The steps' clock: emulated milliseconds, SCALE times faster than real ones. */
function scaledClock() {
  const realStart = Date.now();
  const now = () => realStart + (Date.now() - realStart) * SCALE;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms / SCALE);
      function done() {
        signal?.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  return { now, sleep };
}

interface JobOutcome {
  arrival: number;
  hold: number;
  granted?: number;
  released?: number;
  failed?: string;
}

/** First come, first served with the same arrivals and holds: when each job would have got a seat. */
function fcfs(jobs: readonly { arrival: number; hold: number }[], seats: number): number[] {
  const free = Array.from({ length: seats }, () => -Infinity);
  return jobs
    .map((j, i) => ({ ...j, i }))
    .sort((a, b) => a.arrival - b.arrival)
    .reduce((grants, j) => {
      free.sort((a, b) => a - b);
      const start = Math.max(j.arrival, free[0]!);
      free[0] = start + j.hold;
      grants[j.i] = start;
      return grants;
    }, new Array<number>(jobs.length));
}

export async function fleetBench(): Promise<void> {
  heading(`Fleet: ${JOBS} jobs, ${SEATS} seats, ${RATE} requests/s account-wide, time ×${SCALE}`);
  // One clock for the steps and the emulator's license time, SCALE times faster than the wall.
  const clock = scaledClock();
  const emu = await startEmulator({ port: 0, now: clock.now, rateLimits: { '*': RATE } });
  const dir = mkdtempSync(join(tmpdir(), 'lg-fleet-'));
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL: emu.url, AWS_REGION: emu.region });
  try {
    const lic = await createTestLicense(emu, { seats: SEATS, ttlMinutes: TTL_MINUTES });
    const random = seeded(17);
    const t0 = clock.now();
    const plan = Array.from({ length: JOBS }, () => ({ arrival: t0 + random() * ARRIVALS_OVER_MIN * MIN, hold: (HOLD_MIN + random() * (HOLD_MAX - HOLD_MIN)) * MIN }));
    // The SDK's retry delays run on real timers: scaled like everything else.
    const service = (settings: Parameters<typeof licenseService>[0]) => licenseService({ ...settings, credentials: TEST_CREDENTIALS, timeScale: SCALE });

    const outcomes = await Promise.all(plan.map(async (p, i): Promise<JobOutcome> => {
      const out: JobOutcome = { arrival: p.arrival, hold: p.hold };
      await clock.sleep(p.arrival - clock.now());
      const env = { GITHUB_REPOSITORY: 'octo-org/widget', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: `shard-${i}`, GITHUB_ACTION: 'license', RUNNER_TEMP: dir };
      const inputs = { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', 'wait-timeout': '6h', beneficiary: emu.accountId, 'aws-region': emu.region };
      const main = new FakeIO(inputs, env);
      const stop = new AbortController();
      let keepalive: Promise<KeepaliveStatus> | undefined;
      let latest: KeepaliveStatus | undefined;
      await runMain({
        io: main,
        licenseService: service,
        now: clock.now,
        sleep: clock.sleep,
        // The keepalive's own loop, in this process: the moves the process chain makes.
        startKeepalive: async (c: SavedConsumption) => {
          const statusPath = join(dir, `keepalive-${i}.json`);
          writeFileSync(statusPath, '{}');
          const ka = service({ region: c.region, maxAttempts: EXTEND_ATTEMPTS });
          const status: KeepaliveStatus = {
            v: 1, licenseArn: c.licenseArn, region: c.region, consumptionToken: c.consumptionToken, expiration: c.expiration,
            extensions: 0, failures: [], state: 'starting', startedAt: '', updatedAt: '', maxLifetimeMs: 24 * 60 * MIN,
          };
          keepalive = runKeepalive({
            status, statusPath, signal: stop.signal, now: clock.now, sleep: clock.sleep, log: () => {},
            extend: (token, signal) => ka.extend(token, signal),
            save: async (s) => void (latest = s),
          }).finally(() => ka.destroy());
          return { pid: 0, statusFile: statusPath };
        },
      });
      if (main.failed) return { ...out, failed: main.failed };
      out.granted = clock.now();
      await clock.sleep(p.hold);
      const report = async (): Promise<KeepaliveReport | undefined> =>
        latest && { consumptionToken: latest.consumptionToken, expiration: latest.expiration, extensions: latest.extensions, failures: latest.failures };
      const post = new FakeIO(inputs, env, { ...main.saved });
      await runPost({
        io: post,
        licenseService: service,
        now: clock.now,
        peekKeepalive: report,
        stopKeepalive: async () => {
          stop.abort();
          await keepalive;
          return report();
        },
      });
      out.released = clock.now();
      const warned = post.lines('warning');
      if (warned.length) out.failed = `post: ${warned.join('; ')}`;
      return out;
    }));

    const stats = emu.stats();
    const done = outcomes.filter((o) => o.granted !== undefined && o.released !== undefined);
    const failed = outcomes.filter((o) => o.failed);
    const ideal = fcfs(plan, SEATS);
    const idealEnd = Math.max(...plan.map((p, i) => ideal[i]! + p.hold));
    const end = Math.max(...done.map((o) => o.released!));
    const ratios = outcomes.flatMap((o, i) => {
      const fcfsWait = ideal[i]! - o.arrival;
      return o.granted !== undefined && fcfsWait >= MIN ? [(o.granted - o.arrival) / fcfsWait] : [];
    });
    const lm = Object.entries(stats.requests.byOperation).filter(([op]) => !['CreateLicense'].includes(op));
    const calls = lm.reduce((n, [, s]) => n + s.total, 0);
    const limited = lm.reduce((n, [, s]) => n + s.rateLimited, 0);
    const seconds = (end - t0) / 1000;
    // Seat idle: each check-in paired with the next grant after it.
    const grants = stats.events.filter((e) => e.type === 'checkout' && !e.error && !e.replay).map((e) => e.time).sort((a, b) => a - b);
    const releases = stats.events.filter((e) => e.type === 'check-in' || e.type === 'expiry').map((e) => e.time).sort((a, b) => a - b);
    let g = SEATS;
    const idle = releases.flatMap((r) => {
      while (g < grants.length && grants[g]! < r) g++;
      return g < grants.length ? [(grants[g++]! - r) / 1000] : [];
    });
    const perOp = lm.filter(([, s]) => s.total > 0).map(([op, s]) => `${op} ${s.total} (${s.rateLimited} limited)`).join(', ');
    console.log(
      table(
        ['figure', 'value', 'target'],
        [
          ['jobs failed', `${failed.length} of ${JOBS}${failed[0] ? ` (first: ${failed[0].failed!.slice(0, 160)})` : ''}`, '0'],
          ['makespan ÷ first-come-first-served ideal', `${((end - t0) / (idealEnd - t0)).toFixed(3)}× (${((end - t0) / MIN).toFixed(1)} ÷ ${((idealEnd - t0) / MIN).toFixed(1)} emulated min)`, '≤ 1.10'],
          ['wait ÷ FCFS wait, jobs that had to wait ≥ 1 min (p50 / p95 / max)', `${median(ratios).toFixed(2)} / ${quantile(ratios, 0.95).toFixed(2)} / ${Math.max(...ratios).toFixed(2)} (${ratios.length} jobs)`, 'p95 ≤ 1.25'],
          ['License Manager calls per emulated second', `${(calls / seconds).toFixed(2)} (limit ${RATE}; ${limited} of ${calls} rate-limited)`, `≤ ${RATE}`],
          ['seat idle from a release to the next grant (median / p95)', `${median(idle).toFixed(1)} s / ${quantile(idle, 0.95).toFixed(1)} s emulated`, 'reported'],
          ['consumptions expired instead of checked in', String(stats.events.filter((e) => e.type === 'expiry').length), '0'],
          ['peak seats held', `${stats.licenses[lic.licenseArn]?.entitlements.Seats?.peak} of ${SEATS}`, `≤ ${SEATS}`],
        ],
      ),
    );
    console.log(`\nCalls by operation: ${perOp}.`);
  } finally {
    process.env = saved;
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
