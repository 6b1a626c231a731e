import { closeSync, constants, openSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { KeepaliveReport } from '../post-step.js';
import { checkPrivateDirectory, makePrivateDirectory } from '../private-files.js';
import type { SavedConsumption } from '../state.js';
import { bundle } from './process-deps.js';
import { readStatus, writeStatus, type KeepaliveStatus } from './status-file.js';

const MAX_LIFETIME_MS = 6 * 60 * 60 * 1000 + 10 * 60 * 1000; // a GitHub-hosted job's limit, plus margin
const STOP_GRACE_MS = 2_000;
const FOLDER_PREFIX = 'license-gate-';
const STATUS_FILE = 'keepalive.json';
const LOG_FILE = 'keepalive.log';
/** The temporary files replaceFile leaves when a writer is killed mid-write. */
const TEMPORARY = /^keepalive\.json\.[\w-]+\.tmp$/;

type Keepalive = NonNullable<SavedConsumption['keepalive']>;

export interface LaunchOptions {
  runnerTemp?: string;
  /** The bundle to run; next to the running step's bundle by default. */
  script?: string;
  licenseToken?: KeepaliveStatus['licenseToken'];
  maxLifetimeMs?: number;
}

/**
 * Starts the keepalive detached, with its stdio in a log file, so it never holds the step open.
 * The consumption token reaches it only through the 0600 status file, in a 0700 folder of a
 * RUNNER_TEMP where no other user can rename or create entries (refused otherwise).
 */
export async function startKeepalive(c: SavedConsumption, o: LaunchOptions = {}): Promise<Keepalive> {
  const dir = makePrivateDirectory(o.runnerTemp || tmpdir(), FOLDER_PREFIX, o.runnerTemp ? 'RUNNER_TEMP' : 'the temporary directory');
  const statusFile = join(dir, STATUS_FILE);
  const now = new Date().toISOString();
  await writeStatus(statusFile, {
    v: 1,
    licenseArn: c.licenseArn,
    region: c.region,
    beneficiary: c.beneficiary,
    consumptionToken: c.consumptionToken,
    expiration: c.expiration,
    extensions: 0,
    failures: [],
    state: 'starting',
    startedAt: now,
    updatedAt: now,
    maxLifetimeMs: o.maxLifetimeMs ?? MAX_LIFETIME_MS,
    licenseToken: o.licenseToken,
  });
  const log = openSync(join(dir, LOG_FILE), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  // Absolute, as the post step compares it with the command line of the process it stops.
  const script = resolve(o.script ?? bundle('keepalive'));
  // Loaded here, not with the step: node:child_process costs a step that starts no keepalive a few ms.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [script, statusFile], { detached: true, stdio: ['ignore', log, log], env: keepaliveEnv(process.env) });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('the keepalive process did not start');
  const startTime = processOf(child.pid)?.startTime;
  return { pid: child.pid, statusFile, ...(startTime ? { startTime } : {}) };
}

/**
 * What the keepalive needs of the job's environment, and nothing else: AWS's own settings and
 * credentials, how to reach AWS (proxy, certificates), a home for ~/.aws, the zone its times are
 * read in, and what Node needs on Windows. The runner's tokens (ACTIONS_RUNTIME_TOKEN,
 * ACTIONS_ID_TOKEN_REQUEST_*, GITHUB_TOKEN), the step's inputs and state stay with the step:
 * secrets reach the keepalive only through its file. NODE_OPTIONS stays too: it could load code.
 */
const KEEPALIVE_ENV = new Set([
  'PATH', 'HOME', 'TZ', 'USERPROFILE', 'HOMEDRIVE', 'HOMEPATH', 'SYSTEMROOT', 'WINDIR',
  'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_USE_ENV_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
]);

export function keepaliveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.toUpperCase().startsWith('AWS_') || KEEPALIVE_ENV.has(k.toUpperCase())));
}

/** A process as /proc shows it: its arguments and its start time (clock ticks after boot; a recycled pid has another). */
interface SeenProcess {
  argv: string[];
  startTime?: string;
}

function processOf(pid: number): SeenProcess | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses: state is field 3, starttime field 22.
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return { argv, ...(startTime ? { startTime } : {}) };
  } catch {
    return undefined;
  }
}

/** The status file path of a keepalive folder: `<RUNNER_TEMP>/license-gate-XXXXXX/keepalive.json`. */
function isStatusPath(statusFile: string): boolean {
  return basename(statusFile) === STATUS_FILE && basename(dirname(statusFile)).startsWith(FOLDER_PREFIX);
}

/**
 * True when `seen` is the keepalive `k` names, exactly: one of our two bundles (asleep or
 * extending), given this status file, started when the main step recorded.
 */
export function sameKeepalive(k: Keepalive, seen: SeenProcess, bundles = [bundle('keepalive'), bundle('extend')]): boolean {
  const [, script, statusFile] = seen.argv;
  return script !== undefined && bundles.includes(script) && statusFile === k.statusFile && isStatusPath(k.statusFile) && k.startTime !== undefined && seen.startTime === k.startTime;
}

/** True when `k.pid` is our keepalive, its status file in a private folder of ours: tampered state or a recycled pid cannot make us kill a stranger. */
function isOurKeepalive(k: Keepalive): boolean {
  if (!Number.isInteger(k.pid) || k.pid <= 1 || k.pid === process.pid) return false;
  try {
    checkPrivateDirectory(dirname(k.statusFile));
  } catch {
    return false;
  }
  const seen = processOf(k.pid);
  // No /proc (macOS): the sealed pid is all there is to go by.
  if (!seen) return process.platform !== 'linux' && isAlive(k.pid);
  return sameKeepalive(k, seen);
}

/** Alive and not a zombie: an exited keepalive waits for a slow init to reap it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isAlive(pid);
}

export interface ProcessOps {
  identify(k: Keepalive): boolean;
  signal(pid: number, signal: NodeJS.Signals): void;
  exited(pid: number, ms: number): Promise<boolean>;
}

const processOps: ProcessOps = {
  identify: isOurKeepalive,
  signal: (pid, signal) => {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  },
  exited: waitForExit,
};

/** SIGTERM, then SIGKILL after a short grace, each only to the process identified as our keepalive. */
export async function stopProcess(k: Keepalive, ops: ProcessOps = processOps): Promise<void> {
  if (!ops.identify(k)) return;
  ops.signal(k.pid, 'SIGTERM');
  if (await ops.exited(k.pid, STOP_GRACE_MS)) return;
  // It may have exited in the grace and its pid gone to another process since: identified again.
  if (!ops.identify(k)) return;
  ops.signal(k.pid, 'SIGKILL');
  await ops.exited(k.pid, 1_000);
}

/** Stops the keepalive; then its status as it last wrote it. */
export async function stopKeepalive(saved: SavedConsumption): Promise<KeepaliveReport | undefined> {
  const k = saved.keepalive;
  if (!k) return undefined;
  await stopProcess(k);
  return readReport(saved);
}

/**
 * Removes the keepalive's folder (its status file with the tokens, its log), so no secret stays on
 * disk after the job: only a folder of ours by its name, owner and mode, and only what the
 * keepalive puts in it (anything else makes the removal fail, and says so).
 */
export function removeKeepalive(saved: SavedConsumption): void {
  const k = saved.keepalive;
  if (!k) return;
  const dir = dirname(k.statusFile);
  if (!isStatusPath(k.statusFile)) throw new Error(`${k.statusFile} is not a keepalive status file path; nothing removed`);
  try {
    checkPrivateDirectory(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // A keepalive that could not be stopped may still be replacing its file: look twice.
  for (let attempt = 0; ; attempt++) {
    for (const name of readdirSync(dir)) if (name === STATUS_FILE || name === LOG_FILE || TEMPORARY.test(name)) unlinkSync(join(dir, name));
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt === 2) throw error;
    }
  }
}

/** The keepalive's status as the post step needs it; checks that it belongs to this consumption. */
export async function readReport(saved: SavedConsumption): Promise<KeepaliveReport | undefined> {
  const k = saved.keepalive;
  if (!k) return undefined;
  const status = await readStatus(k.statusFile);
  if (status.licenseArn !== saved.licenseArn) throw new Error('the keepalive status file belongs to another license');
  return {
    consumptionToken: status.consumptionToken,
    expiration: status.expiration,
    extensions: status.extensions,
    failures: status.failures,
    ended: status.state === 'ended' ? status.endedBecause : undefined,
    ...(status.licenseEnded ? { licenseEnded: status.licenseEnded } : {}),
  };
}
