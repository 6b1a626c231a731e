import { dirname } from 'node:path';
import { checkPrivateDirectory, readPrivateFile, replaceFile } from '../private-files.js';

/**
 * The keepalive's only channel with the steps: a 0600 JSON file in a 0700 folder under RUNNER_TEMP.
 * Secrets (the consumption token, a license token) travel here, never through argv or a log.
 */
export interface KeepaliveStatus {
  v: 1;
  licenseArn?: string;
  region: string;
  beneficiary?: string;
  consumptionToken: string;
  expiration?: string;
  extensions: number;
  failures: string[];
  /** running, or why it stopped: checked-in/expired (token refused), stopped (signal), lifetime, gone. */
  state: 'starting' | 'running' | 'ended' | 'stopped' | 'lifetime';
  endedBecause?: string;
  /** Set when the keepalive stopped because the license itself ended (suspended, expired, deleted): why. */
  licenseEnded?: string;
  pid?: number;
  startedAt: string;
  updatedAt: string;
  maxLifetimeMs: number;
  /** When the first keepalive process started (epoch ms): its lifetime counts from here. */
  sinceMs?: number;
  /** The expiry to the millisecond (`expiration` is shown to the second); every process of the chain schedules from it. */
  expiresAtMs?: number;
  /** When the next extension is due (epoch ms); every process of the keepalive chain starts from it. */
  nextAtMs?: number;
  failuresInARow?: number;
  /** How a customer without an AWS account gets credentials (issue: license tokens). */
  licenseToken?: { token: string; roleArn: string; roleSessionName?: string };
}

/** A status file the keepalive or the post step will not act on; says which field, never what it held. */
export class StatusFileRefused extends Error {
  override readonly name = 'StatusFileRefused';
}

/** Far above what the keepalive writes (20 failure lines), far below what could hurt to read. */
const MAX_BYTES = 256 * 1024;
const MAX_FAILURES = 100;
const MAX_TEXT = 2_000;
const STATES = new Set<KeepaliveStatus['state']>(['starting', 'running', 'ended', 'stopped', 'lifetime']);

/**
 * The status as the file has it, every field checked: the file is untrusted input wherever it is
 * read (a keepalive or a post step acting on a field of the wrong type would crash or misbehave).
 * Read only from our own private folder, as a private file of ours.
 */
export async function readStatus(path: string): Promise<KeepaliveStatus> {
  checkPrivateDirectory(dirname(path));
  const text = readPrivateFile(path, MAX_BYTES, 'The keepalive status file').toString('utf8');
  const refuse = (problem: string) => new StatusFileRefused(`${path} is not a keepalive status file (${problem})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, and the text holds tokens.
    throw refuse('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw refuse('not a JSON object');
  const f = raw as Record<string, unknown>;
  const str = (name: string, max = MAX_TEXT): string | undefined => {
    const v = f[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length > max) throw refuse(`${name} is not a string of at most ${max} characters`);
    return v;
  };
  const required = <T>(name: string, v: T | undefined): T => {
    if (v === undefined) throw refuse(`${name} is missing`);
    return v;
  };
  const count = (name: string): number | undefined => {
    const v = f[name];
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw refuse(`${name} is not a whole number`);
    return v as number;
  };
  const time = (name: string): number | undefined => {
    const v = f[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw refuse(`${name} is not a number`);
    return v;
  };

  if (f.v !== 1) throw refuse('v is not 1');
  const consumptionToken = required('consumptionToken', str('consumptionToken'));
  if (!/^[\w-]{8,2048}$/.test(consumptionToken)) throw refuse('consumptionToken is not a consumption token');
  const region = required('region', str('region', 64));
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw refuse('region is not an AWS region');
  const failures = f.failures;
  if (!Array.isArray(failures) || failures.length > MAX_FAILURES || !failures.every((l) => typeof l === 'string' && l.length <= MAX_TEXT)) {
    throw refuse(`failures is not a list of at most ${MAX_FAILURES} strings`);
  }
  const state = f.state as KeepaliveStatus['state'];
  if (!STATES.has(state)) throw refuse('state is not one the keepalive writes');
  const maxLifetimeMs = required('maxLifetimeMs', time('maxLifetimeMs'));
  if (maxLifetimeMs <= 0) throw refuse('maxLifetimeMs is not positive');
  const pid = count('pid');
  if (pid !== undefined && pid < 1) throw refuse('pid is not a process id');

  const status: KeepaliveStatus = {
    v: 1,
    region,
    consumptionToken,
    extensions: required('extensions', count('extensions')),
    failures: failures as string[],
    state,
    startedAt: required('startedAt', str('startedAt', 64)),
    updatedAt: required('updatedAt', str('updatedAt', 64)),
    maxLifetimeMs,
  };
  const optional: Partial<KeepaliveStatus> = {
    licenseArn: str('licenseArn'),
    beneficiary: str('beneficiary', 64),
    expiration: str('expiration', 64),
    endedBecause: str('endedBecause'),
    licenseEnded: str('licenseEnded'),
    pid,
    sinceMs: time('sinceMs'),
    expiresAtMs: time('expiresAtMs'),
    nextAtMs: time('nextAtMs'),
    failuresInARow: count('failuresInARow'),
    licenseToken: licenseTokenOf(f.licenseToken, refuse),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (status as unknown as Record<string, unknown>)[k] = v;
  return status;
}

function licenseTokenOf(v: unknown, refuse: (problem: string) => Error): KeepaliveStatus['licenseToken'] {
  if (v === undefined) return undefined;
  const t = v as Record<string, unknown> | null;
  const ok = (x: unknown, max: number) => typeof x === 'string' && x.length > 0 && x.length <= max;
  if (typeof t !== 'object' || t === null || !ok(t.token, 16_384) || !ok(t.roleArn, 2_048) || (t.roleSessionName !== undefined && !ok(t.roleSessionName, 64))) {
    throw refuse('licenseToken is not a token with a role');
  }
  return { token: t.token as string, roleArn: t.roleArn as string, ...(t.roleSessionName === undefined ? {} : { roleSessionName: t.roleSessionName as string }) };
}

/** A new private file renamed into place in our own folder: a reader (or a SIGKILL mid-write) never sees half a file, and nothing planted is written through. */
export async function writeStatus(path: string, status: KeepaliveStatus): Promise<void> {
  checkPrivateDirectory(dirname(path));
  replaceFile(path, JSON.stringify({ ...status, updatedAt: new Date().toISOString() }));
}
