// Keepalive footprint: started the way the main step starts it (main with keepalive on), sampled
// from /proc every second, stopped by the post step. Two keepalives run side by side: one whose
// first extension is far off (it only sleeps), and one with a 36 s TTL, which extends about every
// 20 s, so the figures include sleeping after extensions and the extensions themselves. An idle
// bare Node 24 process started alongside is the yardstick.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { createTestLicense, seatUsage } from '../test/support/emulator.js';
import { awsEnv, NODE24, running, runAction, type ActionResult } from '../test/support/run-action.js';
import { heading, median, table } from './lib.js';

const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
const SETTLE_S = 3;
const MINUTE_MS = 600; // a 60-minute TTL lasts 36 s
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  rssKiB: number;
  cpuS: number;
  /** Which bundle the process is running: keepalive (asleep) or extend. */
  bundle: string;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command name: utime and stime are the 14th and 15th of the line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const bundle = /dist\/(\w+)\/index\.js/.exec(cmdline)?.[1] ?? 'node';
  return { rssKiB, cpuS: (Number(rest[11]) + Number(rest[12])) / CLK_TCK, bundle };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

async function started(emu: Emulator, ttlMinutes: number): Promise<{ main: ActionResult; pid: number; licenseArn: string }> {
  const lic = await createTestLicense(emu, { seats: 1, ttlMinutes });
  const main = await runAction('main', { inputs: { 'license-arn': lic.licenseArn, entitlements: 'Seats = 1', keepalive: 'true', beneficiary: emu.accountId }, env: awsEnv(emu.url) });
  if (main.code !== 0) throw new Error(`main failed: ${main.stdout}\n${main.stderr}`);
  const pid = (JSON.parse(main.state.consumption!) as { keepalive?: { pid: number } }).keepalive?.pid;
  if (!pid) throw new Error('the main step saved no keepalive pid');
  return { main, pid, licenseArn: lic.licenseArn };
}

export async function daemonBench(): Promise<void> {
  heading(`Keepalive footprint (${IDLE_S} s)`);
  const emu = await startEmulator({ port: 0, minuteMs: MINUTE_MS });
  const bare = spawn(NODE24, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  try {
    const idle = await started(emu, 1_000); // 10 minutes: no extension during the run
    const busy = await started(emu, 60); // 36 s: an extension about every 20 s
    await sleep(SETTLE_S * 1000);
    const samples: Record<'idle' | 'busy' | 'bare', Sample[]> = { idle: [], busy: [], bare: [] };
    for (let s = 0; s <= IDLE_S; s++) {
      samples.idle.push(sample(idle.pid));
      samples.busy.push(sample(busy.pid));
      samples.bare.push(sample(bare.pid!));
      if (s < IDLE_S) await sleep(1000);
    }
    const extensions = emu.stats().requests.byOperation.ExtendLicenseConsumption?.total ?? 0;
    const stopped: string[] = [];
    for (const k of [idle, busy]) {
      const post = await runAction('post', { state: k.main.state, job: k.main.job, env: awsEnv(emu.url) });
      if (post.code !== 0) throw new Error(`post failed: ${post.stdout}\n${post.stderr}`);
      stopped.push(running(k.pid) ? 'NO, still running' : 'yes');
    }

    /** CPU seconds spent between consecutive samples taken while asleep, per minute. */
    const asleepCpuPerMinute = (list: Sample[]) => {
      let cpu = 0;
      let seconds = 0;
      for (let i = 1; i < list.length; i++) {
        if (list[i - 1]!.bundle !== 'keepalive' || list[i]!.bundle !== 'keepalive') continue;
        cpu += list[i]!.cpuS - list[i - 1]!.cpuS;
        seconds += 1;
      }
      return seconds ? (cpu / seconds) * 60 : NaN;
    };
    const asleep = (list: Sample[]) => list.filter((x) => x.bundle === 'keepalive').map((x) => x.rssKiB);
    const awake = samples.busy.filter((x) => x.bundle === 'extend');
    const bareRss = Math.max(...samples.bare.map((x) => x.rssKiB));
    const busyCpu = samples.busy.at(-1)!.cpuS - samples.busy[0]!.cpuS;
    const busyExtensions = Math.max(1, extensions);
    console.log(
      `Sampled every second for ${IDLE_S} s from /proc/<pid>/{status,stat,cmdline} (VmRSS; CPU utime+stime, CLK_TCK ${CLK_TCK}), ${SETTLE_S} s after the main step returned. ` +
        `Emulator minuteMs ${MINUTE_MS}: TTL 1000 minutes = 10 min (never extends here) and 60 minutes = 36 s (extends every 18–25 s).\n`,
    );
    console.log(
      table(
        ['process', 'RSS asleep, median [max]', 'RSS while extending (max)', 'CPU seconds per minute asleep', 'seconds as dist/extend'],
        [
          ['keepalive, first extension far off', `${mib(median(asleep(samples.idle)))} [${mib(Math.max(...asleep(samples.idle)))}]`, '—', asleepCpuPerMinute(samples.idle).toFixed(3), '0'],
          [
            'keepalive, TTL 36 s (extending)',
            `${mib(median(asleep(samples.busy)))} [${mib(Math.max(...asleep(samples.busy)))}]`,
            awake.length ? mib(Math.max(...awake.map((x) => x.rssKiB))) : 'not sampled',
            asleepCpuPerMinute(samples.busy).toFixed(3),
            `${awake.length} of ${samples.busy.length}`,
          ],
          ['idle bare Node 24 (`setInterval`)', mib(median(samples.bare.map((x) => x.rssKiB))), '—', asleepCpuPerMinute(samples.bare.map((x) => ({ ...x, bundle: 'keepalive' }))).toFixed(3), '—'],
        ],
      ),
    );
    const worst = Math.max(...asleep(samples.idle), ...asleep(samples.busy));
    console.log(
      `\nkeepalive RSS asleep at most ${mib(worst)} = ${(worst / bareRss).toFixed(2)}× an idle bare Node (target ≤ 45 MiB: ${worst / 1024 <= 45 ? 'met' : 'MISSED'}); ` +
        `${extensions} ExtendLicenseConsumption calls, ${(busyCpu / busyExtensions).toFixed(2)} CPU s per extension of the 36 s keepalive (starting Node and the SDK); ` +
        `stopped by post: ${stopped.join(', ')}; seats left held: ${JSON.stringify([await seatUsage(emu, idle.licenseArn), await seatUsage(emu, busy.licenseArn)])}.`,
    );
  } finally {
    bare.kill();
    await emu.close();
  }
}
