// Shared helpers for the benchmarks: robust statistics, the machine line, timed child processes.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { NODE24 } from '../test/support/run-action.js';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** `median [p25–p75]`, the spread a reader needs to judge a ratio. */
export function spread(values: readonly number[], digits = 0, unit = ''): string {
  const f = (v: number) => v.toFixed(digits);
  return `${f(median(values))}${unit} [${f(quantile(values, 0.25))}–${f(quantile(values, 0.75))}]`;
}

export function node24Version(): string {
  return spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

export function machine(): string {
  const c = cpus();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; harness Node ${process.version}, action Node ${node24Version()}; load average at start ${load}`;
}

export function heading(title: string): void {
  console.log(`\n## ${title}\n`);
}

/** Wall time of one child process from spawn to close, with stdout/stderr piped as the runner pipes them. */
export function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** A markdown table from rows of cells. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
