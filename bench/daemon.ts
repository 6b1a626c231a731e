// Keepalive footprint: started the way the main step starts it (main with keepalive on, long
// TTL), sampled from /proc while it sleeps for a minute, stopped by the post step. An idle bare
// Node 24 process started alongside is the yardstick.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startEmulator } from '../emulator/server.js';
import { createTestLicense, seatUsage } from '../test/support/emulator.js';
import { awsEnv, NODE24, runAction } from '../test/support/run-action.js';
import { heading, table } from './lib.js';

const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
const SETTLE_S = 5;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  rssKiB: number;
  hwmKiB: number;
  cpuS: number;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command name: utime and stime are the 14th and 15th of the line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), cpuS: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function daemonBench(): Promise<void> {
  heading(`Keepalive footprint (${IDLE_S} s idle)`);
  const emu = await startEmulator({ port: 0 });
  const bare = spawn(NODE24, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  try {
    const lic = await createTestLicense(emu, { seats: 2, ttlMinutes: 600 });
    const env = awsEnv(emu.url);
    const main = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'true' }, env });
    if (main.code !== 0) throw new Error(`main failed: ${main.stdout}\n${main.stderr}`);
    const pid = (JSON.parse(main.state.consumption!) as { keepalive?: { pid: number } }).keepalive?.pid;
    if (!pid) throw new Error('the main step saved no keepalive pid');
    await sleep(SETTLE_S * 1000);
    const k0 = sample(pid);
    const b0 = sample(bare.pid!);
    let peakRss = k0.rssKiB;
    for (let s = 0; s < IDLE_S; s++) {
      await sleep(1000);
      peakRss = Math.max(peakRss, sample(pid).rssKiB);
    }
    const k1 = sample(pid);
    const b1 = sample(bare.pid!);
    const post = await runAction('post', { state: main.state, job: main.job, env });
    if (post.code !== 0) throw new Error(`post failed: ${post.stdout}\n${post.stderr}`);
    // A detached keepalive is reparented; until its new parent reaps it, it lingers as a zombie.
    let alive = false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      alive = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      alive = false;
    }
    const extends_ = emu.stats().requests.byOperation.ExtendLicenseConsumption?.total ?? 0;
    const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
    console.log(`Sampled ${SETTLE_S} s after the main step returned, then every second for ${IDLE_S} s; CPU from /proc/<pid>/stat utime+stime (CLK_TCK ${CLK_TCK}).\n`);
    console.log(
      table(
        ['process', 'RSS (peak while idle)', 'VmHWM (lifetime peak)', `CPU seconds over ${IDLE_S} s`],
        [
          ['keepalive (dist/keepalive, Node 24)', mib(peakRss), mib(k1.hwmKiB), (k1.cpuS - k0.cpuS).toFixed(2)],
          ['idle bare Node 24 (`setInterval`)', mib(Math.max(b0.rssKiB, b1.rssKiB)), mib(b1.hwmKiB), (b1.cpuS - b0.cpuS).toFixed(2)],
        ],
      ),
    );
    console.log(
      `\nkeepalive RSS ${mib(peakRss)} = ${(peakRss / Math.max(b0.rssKiB, b1.rssKiB)).toFixed(2)}× an idle bare Node (target ≤ 45 MiB: ${peakRss / 1024 <= 45 ? 'met' : 'MISSED'}); ` +
        `${extends_} ExtendLicenseConsumption calls while idle (TTL 600 min); stopped by post: ${alive ? 'NO, still running' : 'yes'}; seats left held: ${JSON.stringify(await seatUsage(emu, lic.licenseArn))}.`,
    );
  } finally {
    bare.kill();
    await emu.close();
  }
}
